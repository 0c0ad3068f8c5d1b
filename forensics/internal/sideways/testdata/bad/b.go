package main

func runB() {
	helperA()             // sideways: a call
	var k kindA           // sideways: a type
	k.helperA = 1         // a field, not a use
	_ = kindA{helperA: 2} // sideways: the type again; the key is not a use
	counter := 3          // a local shadowing a.go's counter, not a use
	_ = counter
	shared()
}

type kindB struct{}

func (kindB) helperA() {} // a method named like a.go's function, not a use

var _ = kindB{} // the blank identifier is nobody's declaration
