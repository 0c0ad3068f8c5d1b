// Code generated from seccomp.policy by TestAssembledMatchesPolicy (go generate, or go test -run TestAssembledMatchesPolicy -update); DO NOT EDIT.

package seccomp

// assembled is seccomp.policy assembled in each mode (Assemble), indexed by Mode.
var assembled = [...][]Instruction{
	ModeKill: {
		{Code: 0x0007, Jt: 0, Jf: 0, K: 0x0},          // 0: tax
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 1: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 2: jeq #0xc000003e, 4, 3
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 3: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 4: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 5: jge #0x147, 74, 6
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 6: jge #0x3c, 41, 7
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 7: jge #0xe, 24, 8
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 8: jge #0x8, 14, 9
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 9: jge #0x3, 12, 10
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x0},         // 10: jeq #0x0, 75, 11 ; read
		{Code: 0x0015, Jt: 63, Jf: 62, K: 0x1},        // 11: jeq #0x1, 75, 74 ; write
		{Code: 0x0015, Jt: 62, Jf: 0, K: 0x3},         // 12: jeq #0x3, 75, 13 ; close
		{Code: 0x0015, Jt: 61, Jf: 60, K: 0x5},        // 13: jeq #0x5, 75, 74 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 14: jge #0xb, 17, 15
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0x8},         // 15: jeq #0x8, 75, 16 ; lseek
		{Code: 0x0015, Jt: 58, Jf: 57, K: 0x9},        // 16: jeq #0x9, 75, 74 ; mmap
		{Code: 0x0015, Jt: 57, Jf: 0, K: 0xb},         // 17: jeq #0xb, 75, 18 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 55, K: 0xd},         // 18: jeq #0xd, 19, 74 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 19: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0xd},         // 20: jeq #0xd, 75, 21
		{Code: 0x0015, Jt: 53, Jf: 0, K: 0x1},         // 21: jeq #0x1, 75, 22
		{Code: 0x0015, Jt: 52, Jf: 0, K: 0x2},         // 22: jeq #0x2, 75, 23
		{Code: 0x0015, Jt: 51, Jf: 50, K: 0xf},        // 23: jeq #0xf, 75, 74
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 24: jge #0x1c, 32, 25
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 25: jge #0x10, 28, 26
		{Code: 0x0015, Jt: 48, Jf: 0, K: 0xe},         // 26: jeq #0xe, 75, 27 ; rt_sigprocmask
		{Code: 0x0015, Jt: 47, Jf: 46, K: 0xf},        // 27: jeq #0xf, 75, 74 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 28: jeq #0x10, 29, 31 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 29: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 44, Jf: 43, K: 0x5401},     // 30: jeq #0x5401, 75, 74
		{Code: 0x0015, Jt: 43, Jf: 42, K: 0x18},       // 31: jeq #0x18, 75, 74 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 32: jge #0x27, 35, 33
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x1c},        // 33: jeq #0x1c, 75, 34 ; madvise
		{Code: 0x0015, Jt: 40, Jf: 39, K: 0x23},       // 34: jeq #0x23, 75, 74 ; nanosleep
		{Code: 0x0015, Jt: 39, Jf: 0, K: 0x27},        // 35: jeq #0x27, 75, 36 ; getpid
		{Code: 0x0015, Jt: 38, Jf: 0, K: 0x28},        // 36: jeq #0x28, 75, 37 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 36, K: 0x38},        // 37: jeq #0x38, 38, 74 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 38: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 39: and #0x10000
		{Code: 0x0015, Jt: 34, Jf: 33, K: 0x10000},    // 40: jeq #0x10000, 75, 74
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 41: jge #0xe9, 59, 42
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 42: jge #0xba, 54, 43
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 43: jge #0x83, 50, 44
		{Code: 0x0015, Jt: 30, Jf: 0, K: 0x3c},        // 44: jeq #0x3c, 75, 45 ; exit
		{Code: 0x0015, Jt: 0, Jf: 28, K: 0x48},        // 45: jeq #0x48, 46, 74 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 46: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 27, Jf: 0, K: 0x3},         // 47: jeq #0x3, 75, 48
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x408},       // 48: jeq #0x408, 75, 49
		{Code: 0x0015, Jt: 25, Jf: 24, K: 0x407},      // 49: jeq #0x407, 75, 74
		{Code: 0x0015, Jt: 24, Jf: 0, K: 0x83},        // 50: jeq #0x83, 75, 51 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 22, K: 0x9d},        // 51: jeq #0x9d, 52, 74 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 52: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 21, Jf: 20, K: 0x53564d41}, // 53: jeq #0x53564d41, 75, 74
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 54: jge #0xe4, 57, 55
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xba},        // 55: jeq #0xba, 75, 56 ; gettid
		{Code: 0x0015, Jt: 18, Jf: 17, K: 0xca},       // 56: jeq #0xca, 75, 74 ; futex
		{Code: 0x0015, Jt: 17, Jf: 0, K: 0xe4},        // 57: jeq #0xe4, 75, 58 ; clock_gettime
		{Code: 0x0015, Jt: 16, Jf: 15, K: 0xe7},       // 58: jeq #0xe7, 75, 74 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 59: jge #0x119, 68, 60
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 60: jge #0x101, 63, 61
		{Code: 0x0015, Jt: 13, Jf: 0, K: 0xe9},        // 61: jeq #0xe9, 75, 62 ; epoll_ctl
		{Code: 0x0015, Jt: 12, Jf: 11, K: 0xea},       // 62: jeq #0xea, 75, 74 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 63: jeq #0x101, 64, 67 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 64: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 65: and #0x4006c3
		{Code: 0x0015, Jt: 8, Jf: 7, K: 0x0},          // 66: jeq #0x0, 75, 74
		{Code: 0x0015, Jt: 7, Jf: 6, K: 0x113},        // 67: jeq #0x113, 75, 74 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 68: jge #0x123, 71, 69
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x119},        // 69: jeq #0x119, 75, 70 ; epoll_pwait
		{Code: 0x0015, Jt: 4, Jf: 3, K: 0x122},        // 70: jeq #0x122, 75, 74 ; eventfd2
		{Code: 0x0015, Jt: 3, Jf: 0, K: 0x123},        // 71: jeq #0x123, 75, 72 ; epoll_create1
		{Code: 0x0015, Jt: 2, Jf: 0, K: 0x125},        // 72: jeq #0x125, 75, 73 ; pipe2
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0x146},        // 73: jeq #0x146, 75, 74 ; copy_file_range
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 74: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 75: ret ALLOW
	},
	ModeLog: {
		{Code: 0x0007, Jt: 0, Jf: 0, K: 0x0},          // 0: tax
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 1: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 2: jeq #0xc000003e, 4, 3
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 3: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 4: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 5: jge #0x147, 74, 6
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 6: jge #0x3c, 41, 7
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 7: jge #0xe, 24, 8
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 8: jge #0x8, 14, 9
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 9: jge #0x3, 12, 10
		{Code: 0x0015, Jt: 66, Jf: 0, K: 0x0},         // 10: jeq #0x0, 77, 11 ; read
		{Code: 0x0015, Jt: 65, Jf: 63, K: 0x1},        // 11: jeq #0x1, 77, 75 ; write
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x3},         // 12: jeq #0x3, 77, 13 ; close
		{Code: 0x0015, Jt: 63, Jf: 61, K: 0x5},        // 13: jeq #0x5, 77, 75 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 14: jge #0xb, 17, 15
		{Code: 0x0015, Jt: 61, Jf: 0, K: 0x8},         // 15: jeq #0x8, 77, 16 ; lseek
		{Code: 0x0015, Jt: 60, Jf: 58, K: 0x9},        // 16: jeq #0x9, 77, 75 ; mmap
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0xb},         // 17: jeq #0xb, 77, 18 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 56, K: 0xd},         // 18: jeq #0xd, 19, 75 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 19: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 56, Jf: 0, K: 0xd},         // 20: jeq #0xd, 77, 21
		{Code: 0x0015, Jt: 55, Jf: 0, K: 0x1},         // 21: jeq #0x1, 77, 22
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0x2},         // 22: jeq #0x2, 77, 23
		{Code: 0x0015, Jt: 53, Jf: 51, K: 0xf},        // 23: jeq #0xf, 77, 75
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 24: jge #0x1c, 32, 25
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 25: jge #0x10, 28, 26
		{Code: 0x0015, Jt: 50, Jf: 0, K: 0xe},         // 26: jeq #0xe, 77, 27 ; rt_sigprocmask
		{Code: 0x0015, Jt: 49, Jf: 47, K: 0xf},        // 27: jeq #0xf, 77, 75 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 28: jeq #0x10, 29, 31 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 29: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 46, Jf: 44, K: 0x5401},     // 30: jeq #0x5401, 77, 75
		{Code: 0x0015, Jt: 45, Jf: 43, K: 0x18},       // 31: jeq #0x18, 77, 75 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 32: jge #0x27, 35, 33
		{Code: 0x0015, Jt: 43, Jf: 0, K: 0x1c},        // 33: jeq #0x1c, 77, 34 ; madvise
		{Code: 0x0015, Jt: 42, Jf: 40, K: 0x23},       // 34: jeq #0x23, 77, 75 ; nanosleep
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x27},        // 35: jeq #0x27, 77, 36 ; getpid
		{Code: 0x0015, Jt: 40, Jf: 0, K: 0x28},        // 36: jeq #0x28, 77, 37 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 37, K: 0x38},        // 37: jeq #0x38, 38, 75 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 38: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 39: and #0x10000
		{Code: 0x0015, Jt: 36, Jf: 34, K: 0x10000},    // 40: jeq #0x10000, 77, 75
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 41: jge #0xe9, 59, 42
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 42: jge #0xba, 54, 43
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 43: jge #0x83, 50, 44
		{Code: 0x0015, Jt: 32, Jf: 0, K: 0x3c},        // 44: jeq #0x3c, 77, 45 ; exit
		{Code: 0x0015, Jt: 0, Jf: 29, K: 0x48},        // 45: jeq #0x48, 46, 75 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 46: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 29, Jf: 0, K: 0x3},         // 47: jeq #0x3, 77, 48
		{Code: 0x0015, Jt: 28, Jf: 0, K: 0x408},       // 48: jeq #0x408, 77, 49
		{Code: 0x0015, Jt: 27, Jf: 25, K: 0x407},      // 49: jeq #0x407, 77, 75
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x83},        // 50: jeq #0x83, 77, 51 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 23, K: 0x9d},        // 51: jeq #0x9d, 52, 75 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 52: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 23, Jf: 21, K: 0x53564d41}, // 53: jeq #0x53564d41, 77, 75
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 54: jge #0xe4, 57, 55
		{Code: 0x0015, Jt: 21, Jf: 0, K: 0xba},        // 55: jeq #0xba, 77, 56 ; gettid
		{Code: 0x0015, Jt: 20, Jf: 18, K: 0xca},       // 56: jeq #0xca, 77, 75 ; futex
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xe4},        // 57: jeq #0xe4, 77, 58 ; clock_gettime
		{Code: 0x0015, Jt: 18, Jf: 16, K: 0xe7},       // 58: jeq #0xe7, 77, 75 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 59: jge #0x119, 68, 60
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 60: jge #0x101, 63, 61
		{Code: 0x0015, Jt: 15, Jf: 0, K: 0xe9},        // 61: jeq #0xe9, 77, 62 ; epoll_ctl
		{Code: 0x0015, Jt: 14, Jf: 12, K: 0xea},       // 62: jeq #0xea, 77, 75 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 63: jeq #0x101, 64, 67 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 64: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 65: and #0x4006c3
		{Code: 0x0015, Jt: 10, Jf: 8, K: 0x0},         // 66: jeq #0x0, 77, 75
		{Code: 0x0015, Jt: 9, Jf: 7, K: 0x113},        // 67: jeq #0x113, 77, 75 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 68: jge #0x123, 71, 69
		{Code: 0x0015, Jt: 7, Jf: 0, K: 0x119},        // 69: jeq #0x119, 77, 70 ; epoll_pwait
		{Code: 0x0015, Jt: 6, Jf: 4, K: 0x122},        // 70: jeq #0x122, 77, 75 ; eventfd2
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x123},        // 71: jeq #0x123, 77, 72 ; epoll_create1
		{Code: 0x0015, Jt: 4, Jf: 0, K: 0x125},        // 72: jeq #0x125, 77, 73 ; pipe2
		{Code: 0x0015, Jt: 3, Jf: 1, K: 0x146},        // 73: jeq #0x146, 77, 75 ; copy_file_range
		{Code: 0x0035, Jt: 1, Jf: 0, K: 0x40000000},   // 74: jge #0x40000000, 76, 75
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7ffc0000},   // 75: ret LOG
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 76: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 77: ret ALLOW
	},
	ModeErrno: {
		{Code: 0x0007, Jt: 0, Jf: 0, K: 0x0},          // 0: tax
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 1: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 2: jeq #0xc000003e, 4, 3
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 3: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 4: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 5: jge #0x147, 74, 6
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 6: jge #0x3c, 41, 7
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 7: jge #0xe, 24, 8
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 8: jge #0x8, 14, 9
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 9: jge #0x3, 12, 10
		{Code: 0x0015, Jt: 66, Jf: 0, K: 0x0},         // 10: jeq #0x0, 77, 11 ; read
		{Code: 0x0015, Jt: 65, Jf: 63, K: 0x1},        // 11: jeq #0x1, 77, 75 ; write
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x3},         // 12: jeq #0x3, 77, 13 ; close
		{Code: 0x0015, Jt: 63, Jf: 61, K: 0x5},        // 13: jeq #0x5, 77, 75 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 14: jge #0xb, 17, 15
		{Code: 0x0015, Jt: 61, Jf: 0, K: 0x8},         // 15: jeq #0x8, 77, 16 ; lseek
		{Code: 0x0015, Jt: 60, Jf: 58, K: 0x9},        // 16: jeq #0x9, 77, 75 ; mmap
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0xb},         // 17: jeq #0xb, 77, 18 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 56, K: 0xd},         // 18: jeq #0xd, 19, 75 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 19: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 56, Jf: 0, K: 0xd},         // 20: jeq #0xd, 77, 21
		{Code: 0x0015, Jt: 55, Jf: 0, K: 0x1},         // 21: jeq #0x1, 77, 22
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0x2},         // 22: jeq #0x2, 77, 23
		{Code: 0x0015, Jt: 53, Jf: 51, K: 0xf},        // 23: jeq #0xf, 77, 75
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 24: jge #0x1c, 32, 25
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 25: jge #0x10, 28, 26
		{Code: 0x0015, Jt: 50, Jf: 0, K: 0xe},         // 26: jeq #0xe, 77, 27 ; rt_sigprocmask
		{Code: 0x0015, Jt: 49, Jf: 47, K: 0xf},        // 27: jeq #0xf, 77, 75 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 28: jeq #0x10, 29, 31 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 29: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 46, Jf: 44, K: 0x5401},     // 30: jeq #0x5401, 77, 75
		{Code: 0x0015, Jt: 45, Jf: 43, K: 0x18},       // 31: jeq #0x18, 77, 75 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 32: jge #0x27, 35, 33
		{Code: 0x0015, Jt: 43, Jf: 0, K: 0x1c},        // 33: jeq #0x1c, 77, 34 ; madvise
		{Code: 0x0015, Jt: 42, Jf: 40, K: 0x23},       // 34: jeq #0x23, 77, 75 ; nanosleep
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x27},        // 35: jeq #0x27, 77, 36 ; getpid
		{Code: 0x0015, Jt: 40, Jf: 0, K: 0x28},        // 36: jeq #0x28, 77, 37 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 37, K: 0x38},        // 37: jeq #0x38, 38, 75 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 38: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 39: and #0x10000
		{Code: 0x0015, Jt: 36, Jf: 34, K: 0x10000},    // 40: jeq #0x10000, 77, 75
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 41: jge #0xe9, 59, 42
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 42: jge #0xba, 54, 43
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 43: jge #0x83, 50, 44
		{Code: 0x0015, Jt: 32, Jf: 0, K: 0x3c},        // 44: jeq #0x3c, 77, 45 ; exit
		{Code: 0x0015, Jt: 0, Jf: 29, K: 0x48},        // 45: jeq #0x48, 46, 75 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 46: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 29, Jf: 0, K: 0x3},         // 47: jeq #0x3, 77, 48
		{Code: 0x0015, Jt: 28, Jf: 0, K: 0x408},       // 48: jeq #0x408, 77, 49
		{Code: 0x0015, Jt: 27, Jf: 25, K: 0x407},      // 49: jeq #0x407, 77, 75
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x83},        // 50: jeq #0x83, 77, 51 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 23, K: 0x9d},        // 51: jeq #0x9d, 52, 75 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 52: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 23, Jf: 21, K: 0x53564d41}, // 53: jeq #0x53564d41, 77, 75
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 54: jge #0xe4, 57, 55
		{Code: 0x0015, Jt: 21, Jf: 0, K: 0xba},        // 55: jeq #0xba, 77, 56 ; gettid
		{Code: 0x0015, Jt: 20, Jf: 18, K: 0xca},       // 56: jeq #0xca, 77, 75 ; futex
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xe4},        // 57: jeq #0xe4, 77, 58 ; clock_gettime
		{Code: 0x0015, Jt: 18, Jf: 16, K: 0xe7},       // 58: jeq #0xe7, 77, 75 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 59: jge #0x119, 68, 60
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 60: jge #0x101, 63, 61
		{Code: 0x0015, Jt: 15, Jf: 0, K: 0xe9},        // 61: jeq #0xe9, 77, 62 ; epoll_ctl
		{Code: 0x0015, Jt: 14, Jf: 12, K: 0xea},       // 62: jeq #0xea, 77, 75 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 63: jeq #0x101, 64, 67 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 64: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 65: and #0x4006c3
		{Code: 0x0015, Jt: 10, Jf: 8, K: 0x0},         // 66: jeq #0x0, 77, 75
		{Code: 0x0015, Jt: 9, Jf: 7, K: 0x113},        // 67: jeq #0x113, 77, 75 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 68: jge #0x123, 71, 69
		{Code: 0x0015, Jt: 7, Jf: 0, K: 0x119},        // 69: jeq #0x119, 77, 70 ; epoll_pwait
		{Code: 0x0015, Jt: 6, Jf: 4, K: 0x122},        // 70: jeq #0x122, 77, 75 ; eventfd2
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x123},        // 71: jeq #0x123, 77, 72 ; epoll_create1
		{Code: 0x0015, Jt: 4, Jf: 0, K: 0x125},        // 72: jeq #0x125, 77, 73 ; pipe2
		{Code: 0x0015, Jt: 3, Jf: 1, K: 0x146},        // 73: jeq #0x146, 77, 75 ; copy_file_range
		{Code: 0x0035, Jt: 1, Jf: 0, K: 0x40000000},   // 74: jge #0x40000000, 76, 75
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x50001},      // 75: ret ERRNO(1)
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 76: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 77: ret ALLOW
	},
}
