// Code generated from seccomp.policy by TestAssembledMatchesPolicy (go generate, or go test -run TestAssembledMatchesPolicy -update); DO NOT EDIT.

package seccomp

// assembled is seccomp.policy assembled in each mode (Assemble), indexed by Mode.
var assembled = [...][]Instruction{
	ModeKill: {
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 0: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 1: jeq #0xc000003e, 3, 2
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 2: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 3: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 4: jge #0x147, 73, 5
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 5: jge #0x3c, 40, 6
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 6: jge #0xe, 23, 7
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 7: jge #0x8, 13, 8
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 8: jge #0x3, 11, 9
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x0},         // 9: jeq #0x0, 74, 10 ; read
		{Code: 0x0015, Jt: 63, Jf: 62, K: 0x1},        // 10: jeq #0x1, 74, 73 ; write
		{Code: 0x0015, Jt: 62, Jf: 0, K: 0x3},         // 11: jeq #0x3, 74, 12 ; close
		{Code: 0x0015, Jt: 61, Jf: 60, K: 0x5},        // 12: jeq #0x5, 74, 73 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 13: jge #0xb, 16, 14
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0x8},         // 14: jeq #0x8, 74, 15 ; lseek
		{Code: 0x0015, Jt: 58, Jf: 57, K: 0x9},        // 15: jeq #0x9, 74, 73 ; mmap
		{Code: 0x0015, Jt: 57, Jf: 0, K: 0xb},         // 16: jeq #0xb, 74, 17 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 55, K: 0xd},         // 17: jeq #0xd, 18, 73 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 18: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0xd},         // 19: jeq #0xd, 74, 20
		{Code: 0x0015, Jt: 53, Jf: 0, K: 0x1},         // 20: jeq #0x1, 74, 21
		{Code: 0x0015, Jt: 52, Jf: 0, K: 0x2},         // 21: jeq #0x2, 74, 22
		{Code: 0x0015, Jt: 51, Jf: 50, K: 0xf},        // 22: jeq #0xf, 74, 73
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 23: jge #0x1c, 31, 24
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 24: jge #0x10, 27, 25
		{Code: 0x0015, Jt: 48, Jf: 0, K: 0xe},         // 25: jeq #0xe, 74, 26 ; rt_sigprocmask
		{Code: 0x0015, Jt: 47, Jf: 46, K: 0xf},        // 26: jeq #0xf, 74, 73 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 27: jeq #0x10, 28, 30 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 28: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 44, Jf: 43, K: 0x5401},     // 29: jeq #0x5401, 74, 73
		{Code: 0x0015, Jt: 43, Jf: 42, K: 0x18},       // 30: jeq #0x18, 74, 73 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 31: jge #0x27, 34, 32
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x1c},        // 32: jeq #0x1c, 74, 33 ; madvise
		{Code: 0x0015, Jt: 40, Jf: 39, K: 0x23},       // 33: jeq #0x23, 74, 73 ; nanosleep
		{Code: 0x0015, Jt: 39, Jf: 0, K: 0x27},        // 34: jeq #0x27, 74, 35 ; getpid
		{Code: 0x0015, Jt: 38, Jf: 0, K: 0x28},        // 35: jeq #0x28, 74, 36 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 36, K: 0x38},        // 36: jeq #0x38, 37, 73 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 37: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 38: and #0x10000
		{Code: 0x0015, Jt: 34, Jf: 33, K: 0x10000},    // 39: jeq #0x10000, 74, 73
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 40: jge #0xe9, 58, 41
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 41: jge #0xba, 53, 42
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 42: jge #0x83, 49, 43
		{Code: 0x0015, Jt: 30, Jf: 0, K: 0x3c},        // 43: jeq #0x3c, 74, 44 ; exit
		{Code: 0x0015, Jt: 0, Jf: 28, K: 0x48},        // 44: jeq #0x48, 45, 73 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 45: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 27, Jf: 0, K: 0x3},         // 46: jeq #0x3, 74, 47
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x408},       // 47: jeq #0x408, 74, 48
		{Code: 0x0015, Jt: 25, Jf: 24, K: 0x407},      // 48: jeq #0x407, 74, 73
		{Code: 0x0015, Jt: 24, Jf: 0, K: 0x83},        // 49: jeq #0x83, 74, 50 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 22, K: 0x9d},        // 50: jeq #0x9d, 51, 73 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 51: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 21, Jf: 20, K: 0x53564d41}, // 52: jeq #0x53564d41, 74, 73
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 53: jge #0xe4, 56, 54
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xba},        // 54: jeq #0xba, 74, 55 ; gettid
		{Code: 0x0015, Jt: 18, Jf: 17, K: 0xca},       // 55: jeq #0xca, 74, 73 ; futex
		{Code: 0x0015, Jt: 17, Jf: 0, K: 0xe4},        // 56: jeq #0xe4, 74, 57 ; clock_gettime
		{Code: 0x0015, Jt: 16, Jf: 15, K: 0xe7},       // 57: jeq #0xe7, 74, 73 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 58: jge #0x119, 67, 59
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 59: jge #0x101, 62, 60
		{Code: 0x0015, Jt: 13, Jf: 0, K: 0xe9},        // 60: jeq #0xe9, 74, 61 ; epoll_ctl
		{Code: 0x0015, Jt: 12, Jf: 11, K: 0xea},       // 61: jeq #0xea, 74, 73 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 62: jeq #0x101, 63, 66 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 63: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 64: and #0x4006c3
		{Code: 0x0015, Jt: 8, Jf: 7, K: 0x0},          // 65: jeq #0x0, 74, 73
		{Code: 0x0015, Jt: 7, Jf: 6, K: 0x113},        // 66: jeq #0x113, 74, 73 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 67: jge #0x123, 70, 68
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x119},        // 68: jeq #0x119, 74, 69 ; epoll_pwait
		{Code: 0x0015, Jt: 4, Jf: 3, K: 0x122},        // 69: jeq #0x122, 74, 73 ; eventfd2
		{Code: 0x0015, Jt: 3, Jf: 0, K: 0x123},        // 70: jeq #0x123, 74, 71 ; epoll_create1
		{Code: 0x0015, Jt: 2, Jf: 0, K: 0x125},        // 71: jeq #0x125, 74, 72 ; pipe2
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0x146},        // 72: jeq #0x146, 74, 73 ; copy_file_range
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 73: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 74: ret ALLOW
	},
	ModeLog: {
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 0: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 1: jeq #0xc000003e, 3, 2
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 2: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 3: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 4: jge #0x147, 73, 5
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 5: jge #0x3c, 40, 6
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 6: jge #0xe, 23, 7
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 7: jge #0x8, 13, 8
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 8: jge #0x3, 11, 9
		{Code: 0x0015, Jt: 66, Jf: 0, K: 0x0},         // 9: jeq #0x0, 76, 10 ; read
		{Code: 0x0015, Jt: 65, Jf: 63, K: 0x1},        // 10: jeq #0x1, 76, 74 ; write
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x3},         // 11: jeq #0x3, 76, 12 ; close
		{Code: 0x0015, Jt: 63, Jf: 61, K: 0x5},        // 12: jeq #0x5, 76, 74 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 13: jge #0xb, 16, 14
		{Code: 0x0015, Jt: 61, Jf: 0, K: 0x8},         // 14: jeq #0x8, 76, 15 ; lseek
		{Code: 0x0015, Jt: 60, Jf: 58, K: 0x9},        // 15: jeq #0x9, 76, 74 ; mmap
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0xb},         // 16: jeq #0xb, 76, 17 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 56, K: 0xd},         // 17: jeq #0xd, 18, 74 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 18: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 56, Jf: 0, K: 0xd},         // 19: jeq #0xd, 76, 20
		{Code: 0x0015, Jt: 55, Jf: 0, K: 0x1},         // 20: jeq #0x1, 76, 21
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0x2},         // 21: jeq #0x2, 76, 22
		{Code: 0x0015, Jt: 53, Jf: 51, K: 0xf},        // 22: jeq #0xf, 76, 74
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 23: jge #0x1c, 31, 24
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 24: jge #0x10, 27, 25
		{Code: 0x0015, Jt: 50, Jf: 0, K: 0xe},         // 25: jeq #0xe, 76, 26 ; rt_sigprocmask
		{Code: 0x0015, Jt: 49, Jf: 47, K: 0xf},        // 26: jeq #0xf, 76, 74 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 27: jeq #0x10, 28, 30 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 28: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 46, Jf: 44, K: 0x5401},     // 29: jeq #0x5401, 76, 74
		{Code: 0x0015, Jt: 45, Jf: 43, K: 0x18},       // 30: jeq #0x18, 76, 74 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 31: jge #0x27, 34, 32
		{Code: 0x0015, Jt: 43, Jf: 0, K: 0x1c},        // 32: jeq #0x1c, 76, 33 ; madvise
		{Code: 0x0015, Jt: 42, Jf: 40, K: 0x23},       // 33: jeq #0x23, 76, 74 ; nanosleep
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x27},        // 34: jeq #0x27, 76, 35 ; getpid
		{Code: 0x0015, Jt: 40, Jf: 0, K: 0x28},        // 35: jeq #0x28, 76, 36 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 37, K: 0x38},        // 36: jeq #0x38, 37, 74 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 37: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 38: and #0x10000
		{Code: 0x0015, Jt: 36, Jf: 34, K: 0x10000},    // 39: jeq #0x10000, 76, 74
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 40: jge #0xe9, 58, 41
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 41: jge #0xba, 53, 42
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 42: jge #0x83, 49, 43
		{Code: 0x0015, Jt: 32, Jf: 0, K: 0x3c},        // 43: jeq #0x3c, 76, 44 ; exit
		{Code: 0x0015, Jt: 0, Jf: 29, K: 0x48},        // 44: jeq #0x48, 45, 74 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 45: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 29, Jf: 0, K: 0x3},         // 46: jeq #0x3, 76, 47
		{Code: 0x0015, Jt: 28, Jf: 0, K: 0x408},       // 47: jeq #0x408, 76, 48
		{Code: 0x0015, Jt: 27, Jf: 25, K: 0x407},      // 48: jeq #0x407, 76, 74
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x83},        // 49: jeq #0x83, 76, 50 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 23, K: 0x9d},        // 50: jeq #0x9d, 51, 74 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 51: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 23, Jf: 21, K: 0x53564d41}, // 52: jeq #0x53564d41, 76, 74
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 53: jge #0xe4, 56, 54
		{Code: 0x0015, Jt: 21, Jf: 0, K: 0xba},        // 54: jeq #0xba, 76, 55 ; gettid
		{Code: 0x0015, Jt: 20, Jf: 18, K: 0xca},       // 55: jeq #0xca, 76, 74 ; futex
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xe4},        // 56: jeq #0xe4, 76, 57 ; clock_gettime
		{Code: 0x0015, Jt: 18, Jf: 16, K: 0xe7},       // 57: jeq #0xe7, 76, 74 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 58: jge #0x119, 67, 59
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 59: jge #0x101, 62, 60
		{Code: 0x0015, Jt: 15, Jf: 0, K: 0xe9},        // 60: jeq #0xe9, 76, 61 ; epoll_ctl
		{Code: 0x0015, Jt: 14, Jf: 12, K: 0xea},       // 61: jeq #0xea, 76, 74 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 62: jeq #0x101, 63, 66 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 63: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 64: and #0x4006c3
		{Code: 0x0015, Jt: 10, Jf: 8, K: 0x0},         // 65: jeq #0x0, 76, 74
		{Code: 0x0015, Jt: 9, Jf: 7, K: 0x113},        // 66: jeq #0x113, 76, 74 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 67: jge #0x123, 70, 68
		{Code: 0x0015, Jt: 7, Jf: 0, K: 0x119},        // 68: jeq #0x119, 76, 69 ; epoll_pwait
		{Code: 0x0015, Jt: 6, Jf: 4, K: 0x122},        // 69: jeq #0x122, 76, 74 ; eventfd2
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x123},        // 70: jeq #0x123, 76, 71 ; epoll_create1
		{Code: 0x0015, Jt: 4, Jf: 0, K: 0x125},        // 71: jeq #0x125, 76, 72 ; pipe2
		{Code: 0x0015, Jt: 3, Jf: 1, K: 0x146},        // 72: jeq #0x146, 76, 74 ; copy_file_range
		{Code: 0x0035, Jt: 1, Jf: 0, K: 0x40000000},   // 73: jge #0x40000000, 75, 74
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7ffc0000},   // 74: ret LOG
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 75: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 76: ret ALLOW
	},
	ModeErrno: {
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x4},          // 0: ld  [4]            ; arch
		{Code: 0x0015, Jt: 1, Jf: 0, K: 0xc000003e},   // 1: jeq #0xc000003e, 3, 2
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 2: ret KILL_PROCESS
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x0},          // 3: ld  [0]            ; nr
		{Code: 0x0035, Jt: 68, Jf: 0, K: 0x147},       // 4: jge #0x147, 73, 5
		{Code: 0x0035, Jt: 34, Jf: 0, K: 0x3c},        // 5: jge #0x3c, 40, 6
		{Code: 0x0035, Jt: 16, Jf: 0, K: 0xe},         // 6: jge #0xe, 23, 7
		{Code: 0x0035, Jt: 5, Jf: 0, K: 0x8},          // 7: jge #0x8, 13, 8
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x3},          // 8: jge #0x3, 11, 9
		{Code: 0x0015, Jt: 66, Jf: 0, K: 0x0},         // 9: jeq #0x0, 76, 10 ; read
		{Code: 0x0015, Jt: 65, Jf: 63, K: 0x1},        // 10: jeq #0x1, 76, 74 ; write
		{Code: 0x0015, Jt: 64, Jf: 0, K: 0x3},         // 11: jeq #0x3, 76, 12 ; close
		{Code: 0x0015, Jt: 63, Jf: 61, K: 0x5},        // 12: jeq #0x5, 76, 74 ; fstat
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xb},          // 13: jge #0xb, 16, 14
		{Code: 0x0015, Jt: 61, Jf: 0, K: 0x8},         // 14: jeq #0x8, 76, 15 ; lseek
		{Code: 0x0015, Jt: 60, Jf: 58, K: 0x9},        // 15: jeq #0x9, 76, 74 ; mmap
		{Code: 0x0015, Jt: 59, Jf: 0, K: 0xb},         // 16: jeq #0xb, 76, 17 ; munmap
		{Code: 0x0015, Jt: 0, Jf: 56, K: 0xd},         // 17: jeq #0xd, 18, 74 ; rt_sigaction
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 18: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 56, Jf: 0, K: 0xd},         // 19: jeq #0xd, 76, 20
		{Code: 0x0015, Jt: 55, Jf: 0, K: 0x1},         // 20: jeq #0x1, 76, 21
		{Code: 0x0015, Jt: 54, Jf: 0, K: 0x2},         // 21: jeq #0x2, 76, 22
		{Code: 0x0015, Jt: 53, Jf: 51, K: 0xf},        // 22: jeq #0xf, 76, 74
		{Code: 0x0035, Jt: 7, Jf: 0, K: 0x1c},         // 23: jge #0x1c, 31, 24
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x10},         // 24: jge #0x10, 27, 25
		{Code: 0x0015, Jt: 50, Jf: 0, K: 0xe},         // 25: jeq #0xe, 76, 26 ; rt_sigprocmask
		{Code: 0x0015, Jt: 49, Jf: 47, K: 0xf},        // 26: jeq #0xf, 76, 74 ; rt_sigreturn
		{Code: 0x0015, Jt: 0, Jf: 2, K: 0x10},         // 27: jeq #0x10, 28, 30 ; ioctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 28: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 46, Jf: 44, K: 0x5401},     // 29: jeq #0x5401, 76, 74
		{Code: 0x0015, Jt: 45, Jf: 43, K: 0x18},       // 30: jeq #0x18, 76, 74 ; sched_yield
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x27},         // 31: jge #0x27, 34, 32
		{Code: 0x0015, Jt: 43, Jf: 0, K: 0x1c},        // 32: jeq #0x1c, 76, 33 ; madvise
		{Code: 0x0015, Jt: 42, Jf: 40, K: 0x23},       // 33: jeq #0x23, 76, 74 ; nanosleep
		{Code: 0x0015, Jt: 41, Jf: 0, K: 0x27},        // 34: jeq #0x27, 76, 35 ; getpid
		{Code: 0x0015, Jt: 40, Jf: 0, K: 0x28},        // 35: jeq #0x28, 76, 36 ; sendfile
		{Code: 0x0015, Jt: 0, Jf: 37, K: 0x38},        // 36: jeq #0x38, 37, 74 ; clone
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 37: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x10000},      // 38: and #0x10000
		{Code: 0x0015, Jt: 36, Jf: 34, K: 0x10000},    // 39: jeq #0x10000, 76, 74
		{Code: 0x0035, Jt: 17, Jf: 0, K: 0xe9},        // 40: jge #0xe9, 58, 41
		{Code: 0x0035, Jt: 11, Jf: 0, K: 0xba},        // 41: jge #0xba, 53, 42
		{Code: 0x0035, Jt: 6, Jf: 0, K: 0x83},         // 42: jge #0x83, 49, 43
		{Code: 0x0015, Jt: 32, Jf: 0, K: 0x3c},        // 43: jeq #0x3c, 76, 44 ; exit
		{Code: 0x0015, Jt: 0, Jf: 29, K: 0x48},        // 44: jeq #0x48, 45, 74 ; fcntl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x18},         // 45: ld  [24]           ; args[1] low 32 bits
		{Code: 0x0015, Jt: 29, Jf: 0, K: 0x3},         // 46: jeq #0x3, 76, 47
		{Code: 0x0015, Jt: 28, Jf: 0, K: 0x408},       // 47: jeq #0x408, 76, 48
		{Code: 0x0015, Jt: 27, Jf: 25, K: 0x407},      // 48: jeq #0x407, 76, 74
		{Code: 0x0015, Jt: 26, Jf: 0, K: 0x83},        // 49: jeq #0x83, 76, 50 ; sigaltstack
		{Code: 0x0015, Jt: 0, Jf: 23, K: 0x9d},        // 50: jeq #0x9d, 51, 74 ; prctl
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x10},         // 51: ld  [16]           ; args[0] low 32 bits
		{Code: 0x0015, Jt: 23, Jf: 21, K: 0x53564d41}, // 52: jeq #0x53564d41, 76, 74
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0xe4},         // 53: jge #0xe4, 56, 54
		{Code: 0x0015, Jt: 21, Jf: 0, K: 0xba},        // 54: jeq #0xba, 76, 55 ; gettid
		{Code: 0x0015, Jt: 20, Jf: 18, K: 0xca},       // 55: jeq #0xca, 76, 74 ; futex
		{Code: 0x0015, Jt: 19, Jf: 0, K: 0xe4},        // 56: jeq #0xe4, 76, 57 ; clock_gettime
		{Code: 0x0015, Jt: 18, Jf: 16, K: 0xe7},       // 57: jeq #0xe7, 76, 74 ; exit_group
		{Code: 0x0035, Jt: 8, Jf: 0, K: 0x119},        // 58: jge #0x119, 67, 59
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x101},        // 59: jge #0x101, 62, 60
		{Code: 0x0015, Jt: 15, Jf: 0, K: 0xe9},        // 60: jeq #0xe9, 76, 61 ; epoll_ctl
		{Code: 0x0015, Jt: 14, Jf: 12, K: 0xea},       // 61: jeq #0xea, 76, 74 ; tgkill
		{Code: 0x0015, Jt: 0, Jf: 3, K: 0x101},        // 62: jeq #0x101, 63, 66 ; openat
		{Code: 0x0020, Jt: 0, Jf: 0, K: 0x20},         // 63: ld  [32]           ; args[2] low 32 bits
		{Code: 0x0054, Jt: 0, Jf: 0, K: 0x4006c3},     // 64: and #0x4006c3
		{Code: 0x0015, Jt: 10, Jf: 8, K: 0x0},         // 65: jeq #0x0, 76, 74
		{Code: 0x0015, Jt: 9, Jf: 7, K: 0x113},        // 66: jeq #0x113, 76, 74 ; splice
		{Code: 0x0035, Jt: 2, Jf: 0, K: 0x123},        // 67: jge #0x123, 70, 68
		{Code: 0x0015, Jt: 7, Jf: 0, K: 0x119},        // 68: jeq #0x119, 76, 69 ; epoll_pwait
		{Code: 0x0015, Jt: 6, Jf: 4, K: 0x122},        // 69: jeq #0x122, 76, 74 ; eventfd2
		{Code: 0x0015, Jt: 5, Jf: 0, K: 0x123},        // 70: jeq #0x123, 76, 71 ; epoll_create1
		{Code: 0x0015, Jt: 4, Jf: 0, K: 0x125},        // 71: jeq #0x125, 76, 72 ; pipe2
		{Code: 0x0015, Jt: 3, Jf: 1, K: 0x146},        // 72: jeq #0x146, 76, 74 ; copy_file_range
		{Code: 0x0035, Jt: 1, Jf: 0, K: 0x40000000},   // 73: jge #0x40000000, 75, 74
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x50001},      // 74: ret ERRNO(1)
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x80000000},   // 75: ret KILL_PROCESS
		{Code: 0x0006, Jt: 0, Jf: 0, K: 0x7fff0000},   // 76: ret ALLOW
	},
}
