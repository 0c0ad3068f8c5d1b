package main

type kindA struct{ helperA int }

var counter int

func runA() { helperA(); shared(); counter++ }

func helperA() {}
