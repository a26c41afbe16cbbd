// Command openapigen writes the API's OpenAPI document to the file named
// by its argument. Package docs runs it through go generate:
//
//	go generate ./functions/docs
package main

import (
	"fmt"
	"os"

	"github.com/dndcc/dnd-llm-service/functions/docs/openapigen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: openapigen FILE")
	}
	b, err := openapigen.Build()
	if err != nil {
		return err
	}
	return os.WriteFile(args[0], b, 0o644)
}
