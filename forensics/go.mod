module kernel-foundations/forensics

// go 1.26: golang.org/x/sys v0.50.0 declares go 1.26.0, so no lower line builds, and main.go
// uses errors.AsType (Go 1.26). SysProcAttr.PidFD, which spawn and zombies use, is Go 1.22.
go 1.26.0

require golang.org/x/sys v0.50.0
