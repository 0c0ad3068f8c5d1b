package seccomp

//go:generate go test -run ^TestAssembledMatchesPolicy$ -update .

// Program is the filter syscall-cat installs, assembled from seccomp.policy when the source was
// generated (assembled_amd64.go, written by `go generate`), not at start-up: the cat neither
// parses nor assembles anything before its first read. TestAssembledMatchesPolicy fails when
// the generated file and the policy drift apart.
func Program(m Mode) []Instruction {
	return assembled[m]
}
