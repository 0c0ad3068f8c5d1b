//go:build !linux && !darwin && !windows && !freebsd

package main

func helperA() {} // never built on the machines the check runs on: not a declaration it sees
