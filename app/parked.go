package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dndcc/dnd-llm-service/shared/hub"
)

// ParkedCommand is one `hub parked` command: list a page, or re-send.
// Exactly one of List and Redeliver is set.
type ParkedCommand struct {
	List      *hub.ParkedQuery
	Redeliver *hub.RedeliverRequest
	JSON      bool // print the list as GET /api/v2/hub/parked answers it
}

// RunParked runs cmd on the parked events in the service's Redis
// (REDIS_URL, REDIS_KEY_PREFIX, through getenv), with the code the admin
// routes use, and prints the outcome to stdout.
func RunParked(ctx context.Context, getenv func(string) string, cmd ParkedCommand, stdout io.Writer) error {
	if cmd.Redeliver != nil {
		if problems := cmd.Redeliver.Valid(ctx); len(problems) > 0 {
			return fmt.Errorf("hub parked redeliver: %s", describeProblems(problems))
		}
	}
	s, err := openStore(ctx, getenv, "hub parked", "parked events")
	if err != nil {
		return err
	}
	defer s.close()
	store := hub.NewParked(s.conn.Client, hub.OutboxStreams(s.cfg.RedisKeyPrefix, s.queues), s.cfg.HubOutboxMax)
	switch {
	case cmd.List != nil:
		page, err := store.List(ctx, *cmd.List)
		if err != nil {
			return fmt.Errorf("hub parked list: %w", err)
		}
		if cmd.JSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(page)
		}
		return printParked(stdout, page)
	case cmd.Redeliver != nil:
		res, err := store.Redeliver(ctx, *cmd.Redeliver)
		if err != nil {
			return fmt.Errorf("hub parked redeliver: %w", err)
		}
		fmt.Fprintf(stdout, "redelivered %d events; the dispatcher posts them again\n", res.Redelivered)
		if len(res.Missing) > 0 {
			fmt.Fprintf(stdout, "not parked: %s\n", strings.Join(res.Missing, " "))
		}
		return nil
	}
	return errors.New("hub parked: nothing to do")
}

// printParked writes a page as a table, then the count and the next page.
func printParked(w io.Writer, page hub.ParkedPage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PARKED_AT\tOUTBOX\tSTATUS\tTIMES\tEVENT_TYPE\tEVENT_ID\tANSWER")
	for _, e := range page.Events {
		answer := e.Body
		if r := []rune(answer); len(r) > 60 {
			answer = string(r[:59]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", e.ParkedAt, e.Outbox, e.Status, e.Times, e.EventType, e.EventID, answer)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d shown, %d parked in all\n", len(page.Events), page.Total)
	if page.NextCursor != "" {
		fmt.Fprintf(w, "next page: --cursor %s\n", page.NextCursor)
	}
	return nil
}

// describeProblems renders field problems as "field: problem; ..." in
// field order.
func describeProblems(problems map[string]string) string {
	var parts []string
	for f, p := range problems {
		parts = append(parts, f+": "+p)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
