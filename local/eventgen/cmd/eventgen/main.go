// Command eventgen writes the sample AWS Lambda events (default into
// local/events); see package eventgen.
package main

import (
	"fmt"
	"os"

	"github.com/dndcc/dnd-llm-service/local/eventgen"
)

func main() {
	dir := "local/events"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := eventgen.Write(dir); err != nil {
		fmt.Fprintln(os.Stderr, "eventgen:", err)
		os.Exit(1)
	}
}
