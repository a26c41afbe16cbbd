package queue

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// addChildrenScript records jobs a running job started, fenced by its
// lease, and reports a cancel requested of it: either the cancel comes
// first and the caller hears of it here, or the children are recorded
// first and whoever cancels the job reads them (Job.Children).
// KEYS: none beyond the job (derived). ARGV: cfg(7), 8 id, 9 token, 10 ids
// (space-separated)
// Returns 'lost' | 'cancel' | 'ok'
var addChildrenScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local jk = cfg.base .. 'job:' .. ARGV[8]
local f = redis.call('HMGET', jk, 'status', 'lease', 'cancel', 'children')
if f[1] ~= 'running' or f[2] ~= ARGV[9] then return 'lost' end
local ids = ARGV[10]
if f[4] and f[4] ~= '' then ids = f[4] .. ' ' .. ids end
redis.call('HSET', jk, 'children', ids)
if f[3] == '1' then return 'cancel' end
return 'ok'
`)

// AddChildren records jobs the running job started, of any queue, so
// that a cancel of the job can be passed on to them (see Job.Children).
// It reports whether a cancel of the job was requested before they were
// recorded: the caller then cancels them itself. ErrLeaseLost means the
// job is no longer the caller's.
func (q *Queue) AddChildren(ctx context.Context, job *Job, ids ...string) (cancel bool, err error) {
	if len(ids) == 0 {
		return false, nil
	}
	res, err := addChildrenScript.Run(ctx, q.rdb, []string{q.kRunning},
		q.args(job.ID, job.lease, strings.Join(ids, " "))...).Text()
	if err != nil {
		return false, fmt.Errorf("add children to %s: %w", job.ID, err)
	}
	switch res {
	case "lost":
		return false, fmt.Errorf("add children to %s: %w", job.ID, ErrLeaseLost)
	case "cancel":
		return true, nil
	}
	return false, nil
}
