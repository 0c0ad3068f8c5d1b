module kernel-foundations/vfs-explorer

// go 1.26: golang.org/x/sys v0.50.0 declares go 1.26.0, so no lower line builds; the course
// machine runs Go 1.26.
go 1.26.0

require golang.org/x/sys v0.50.0
