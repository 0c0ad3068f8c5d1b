package main

func commands() []func() { return []func(){runA, runB} } // the dispatch table: allowed

func shared() {}

func main() {
	helperA() // sideways: main.go outside its dispatch tables
	shared()
}
