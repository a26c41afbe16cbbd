package queue

import (
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Every script touches only keys under one queue's hash tag, so it runs on
// one Redis Cluster slot. Time comes from redis.call('TIME'), never from the
// client, so replicas with skewed clocks agree on leases and timeouts.
//
// Job keys are derived inside the scripts from the queue's key prefix (an
// ARGV); they share the queue's hash tag, as do the dedup keys, the owner
// sets, the per-minute stats and the queue's hub outbox stream, which the
// finish step writes in the same script. That the outbox shares the
// queue's slot is by design: an event is written if and only if the job
// finishes. (A whole queue therefore lives on one cluster node; the text
// and image queues may live on two. The pub/sub announcements are classic
// PUBLISH, which a cluster delivers to subscribers on every node.)
//
// The scripts run once or twice per job, so they are written for Redis's
// cost: every redis.call costs about as much as the command it runs, a Lua
// number passed to one is formatted with "%.17g" (more than most commands
// cost), and each field read from a small hash is a scan of it. So numbers
// stay the strings they came as where they can, and a script reads and
// writes only what its path needs.

// luaClock is prepended to every script.
const luaClock = `
-- clock returns the server's time in ms as a number and as a string.
local function clock()
  local t = redis.call('TIME')
  local ms = t[1] .. string.sub('00000' .. t[2], -6, -4)
  return tonumber(ms), ms
end

-- int formats a whole number computed in Lua for redis.call.
local function int(n)
  return string.format('%d', n)
end
`

// luaLib is prepended to every script but enqueueScript: what finishing a
// job takes.
const luaLib = luaClock + `

-- opt turns a missing field (false) into nil; given does so for an empty
-- argument.
local function opt(v)
  if v then return v end
  return nil
end

local function given(v)
  if v ~= '' then return v end
  return nil
end

-- iso formats epoch milliseconds as RFC 3339 UTC with milliseconds.
local function iso(ms)
  local s = math.floor(ms / 1000)
  local msr = ms - s * 1000
  local days = math.floor(s / 86400)
  local sod = s - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp + 3
  if mp >= 10 then m = mp - 9 end
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d,
    math.floor(sod / 3600), math.floor((sod % 3600) / 60), sod % 60, msr)
end

-- job_meta reads what finish needs of a job from its record.
local function job_meta(jk)
  local f = redis.call('HMGET', jk, 'owner', 'dedup', 'kind', 'rid', 'cid', 'dest', 'tp')
  return {owner = opt(f[1]), dedup = opt(f[2]), kind = opt(f[3]), rid = opt(f[4]), cid = opt(f[5]), dest = opt(f[6]), tp = opt(f[7])}
end

-- finish moves a job to a final status in one step: the record, its expiry
-- (cfg.ttl when it succeeded, cfg.fttl when it failed or was canceled), the
-- dedup and owner indexes, the status's index of finished jobs, the
-- per-minute stats, the outbox event and the wake-up of waiters. A lease or cancel request left in the record no
-- longer counts: both are read only while the job runs.
-- cfg: {base=, ttl=, fttl=, chan=, outbox=, outbox_max=, source=}
-- m: the job's {owner=, dedup=, kind=, rid=, cid=, dest=, tp=} (job_meta)
local function finish(cfg, m, id, status, result, err, code, now, nows, extra)
  local jk = cfg.base .. 'job:' .. id
  local f = {'status', status, 'finished_at', nows}
  if result and result ~= '' then
    f[#f + 1] = 'result'
    f[#f + 1] = result
  end
  if err and err ~= '' then
    f[#f + 1] = 'error'
    f[#f + 1] = err
  end
  redis.call('HSET', jk, unpack(f))
  if m.dedup and m.dedup ~= '' then
    if redis.call('GET', m.dedup) == id then redis.call('DEL', m.dedup) end
  end
  if m.owner then redis.call('SREM', cfg.base .. 'owner:' .. m.owner, id) end
  if status == 'succeeded' then
    redis.call('PEXPIRE', jk, cfg.ttl)
  else
    redis.call('PEXPIRE', jk, cfg.fttl)
  end
  -- listed by finish time; housekeeping drops the entry when the job expires
  redis.call('ZADD', cfg.base .. 'finished:' .. status, nows, id)
  local sk = cfg.base .. 'stats:' .. int(math.floor(now / 60000))
  -- the first count of the minute creates the hash: only it needs the expiry
  if redis.call('HINCRBY', sk, status, '1') == 1 then redis.call('EXPIRE', sk, '3900') end
  if cfg.outbox ~= '' then
    local group = string.match(m.kind or '', '^([^.]+)') or 'job'
    -- the correlation id of the request or hub message, else the job's id
    local cid = m.cid or id
    local data = {job_id = id, kind = m.kind, status = status, owner = m.owner, correlation_id = cid}
    if code ~= nil and code ~= '' then data['error_code'] = code end
    if extra ~= nil and extra ~= '' then
      local ok, ex = pcall(cjson.decode, extra)
      if ok and type(ex) == 'table' then
        for k, v in pairs(ex) do data[k] = v end
      end
    end
    local verb = status
    if status == 'succeeded' then verb = 'completed' end
    local ev = {
      event_type = 'llm.' .. group .. '.' .. verb,
      source_service = cfg.source,
      data = data,
      metadata = {event_id = id .. ':' .. status, timestamp = iso(now), request_id = m.rid, destination = m.dest, traceparent = m.tp},
      correlation_id = cid,
      causation_id = m.rid,
    }
    redis.call('XADD', cfg.outbox, 'MAXLEN', '~', cfg.outbox_max, '*', 'e', cjson.encode(ev))
  end
  -- (a job stored final, a cache hit, has no waiter to tell)
  if not cfg.stored then redis.call('PUBLISH', cfg.chan, id .. ' ' .. status) end
end

-- cfg_from reads the queue's configuration, the first 7 ARGV of the
-- scripts that take it: key prefix, retention of succeeded jobs (ms), of
-- failed and canceled ones (ms), channel, outbox ("" = none), outbox max
-- length, source.
-- trim_finished drops from the indexes of finished jobs the entries of
-- jobs that expired (finished before now minus their retention), at most
-- 1000 per index and call. Returns how many it dropped.
local function trim_finished(cfg, now)
  local dropped = 0
  for _, st in ipairs({{'succeeded', cfg.ttl}, {'failed', cfg.fttl}, {'canceled', cfg.fttl}}) do
    local key = cfg.base .. 'finished:' .. st[1]
    local old = redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. int(now - tonumber(st[2])), 'LIMIT', '0', '1000')
    if #old > 0 then
      redis.call('ZREMRANGEBYRANK', key, '0', int(#old - 1))
      dropped = dropped + #old
    end
  end
  return dropped
end

local function cfg_from(argv, i)
  return {base = argv[i], ttl = argv[i+1], fttl = argv[i+2], chan = argv[i+3], outbox = argv[i+4], outbox_max = argv[i+5], source = argv[i+6]}
end

local function problem(code, status, title, detail)
  return cjson.encode({type = 'urn:dnd-llm-service:problem:' .. code, title = title, status = status, detail = detail, code = code})
end

-- the problem of a running job whose cancel was requested (as problem()
-- would encode it; a literal costs nothing per script run)
local canceled_problem = '{"type":"urn:dnd-llm-service:problem:JOB_CANCELED","title":"Conflict","status":409,' ..
  '"detail":"The job was canceled while it ran.","code":"JOB_CANCELED"}'
`

// luaEnqueue is prepended to the scripts that add jobs.
const luaEnqueue = `
-- enqueue adds a job, or returns the live job it duplicates (see
-- enqueueScript). K and A are laid out as enqueueScript's KEYS and ARGV.
local function enqueue(K, A)
  local base, id, owner, dedupkey, token = A[1], A[2], A[7], K[7], A[11]
  if dedupkey then
    local existing = redis.call('GET', dedupkey)
    if existing then
      local st = redis.call('HGET', base .. 'job:' .. existing, 'status')
      if st == 'queued' or st == 'running' then return {'dup', existing} end
    end
  end
  local depth = redis.call('ZCARD', K[1])
  if depth >= tonumber(A[4]) then
    return {'full'}
  end
  local claim = false
  if token ~= '' and (depth == 0 or A[14] == '1') and redis.call('PTTL', K[6]) <= 0 then
    claim = A[13] == '0' or redis.call('ZCARD', K[5]) < tonumber(A[13])
  end
  local now, nows = clock()
  local score = int(tonumber(A[3]) * 1e15 + redis.call('INCR', K[3]))
  local jk = base .. 'job:' .. id
  -- (attempts stays absent, 0, until the first claim)
  local f = {'id', id, 'status', claim and 'running' or 'queued', 'created_at', nows, 'score', score,
    'owner', owner, 'kind', A[8], 'priority', A[9], 'payload', A[10]}
  if claim then
    for _, v in ipairs({'started_at', nows, 'lease', token, 'attempts', '1'}) do f[#f + 1] = v end
  end
  for i = 15, #A do f[#f + 1] = A[i] end
  redis.call('HSET', jk, unpack(f))
  -- a live job expires too, should everything else fail: queue timeout + retention
  redis.call('PEXPIRE', jk, A[6])
  redis.call('SADD', base .. 'owner:' .. owner, id)
  if dedupkey then redis.call('SET', dedupkey, id, 'PX', A[5]) end
  if claim then
    redis.call('ZADD', K[5], int(now + tonumber(A[12])), id)
    return {'claimed', 0, now}
  end
  redis.call('ZADD', K[1], score, id)
  redis.call('ZADD', K[2], nows, id)
  -- The first job of an empty queue wakes an idle worker. A worker that
  -- claims a job wakes another while more wait, so later jobs need not.
  if depth == 0 then redis.call('ZADD', K[4], '0', 'w') end
  return {'ok', redis.call('ZRANK', K[1], id), now}
end
`

// enqueueScript adds a job, or returns the live job it duplicates. With a
// claim token it may lease the new job to the caller in the same step (the
// caller then runs it itself): only when the queue is not paused, the
// in-flight cap allows, and, unless claim-ahead is set, no job waits before
// it, so the caller never jumps the queue.
// KEYS: 1 pending, 2 enq (created index), 3 seq, 4 wake, 5 running, 6 paused,
// 7 dedup key (with dedup only)
// ARGV: 1 key prefix, 2 id, 3 band, 4 max depth, 5 dedup ttl ms (0 without dedup),
//
//	6 live ttl ms (queue timeout + retention), 7 owner, 8 kind, 9 priority,
//	10 payload, 11 claim token ("" = none), 12 lease ms, 13 max in flight
//	(0 = no cap), 14 claim ahead ("1" = even when jobs wait), 15.. more
//	field/value pairs for the job hash (with dedup, the dedup key)
//
// Returns {'ok', position - 1, now} | {'claimed', 0, now} | {'dup', id} | {'full'}
var enqueueScript = redis.NewScript(luaClock + luaEnqueue + `
return enqueue(KEYS, ARGV)
`)

// finishedScript stores a job that is already final (a cache hit).
// KEYS: none used beyond the job (derived).
// ARGV: cfg(7), 8 id, 9 status, 10 result, 11 owner, 12 kind, 13 priority,
// 14.. more fields
var finishedScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
cfg.stored = true
local id = ARGV[8]
local now, nows = clock()
local jk = cfg.base .. 'job:' .. id
redis.call('HSET', jk, 'id', id, 'status', 'running', 'attempts', '0', 'created_at', nows, 'started_at', nows,
  'owner', ARGV[11], 'kind', ARGV[12], 'priority', ARGV[13], unpack(ARGV, 14))
finish(cfg, job_meta(jk), id, ARGV[9], ARGV[10], '', '', now, nows, '')
return now
`)

// luaHousekeeping is prepended to the scripts that claim jobs.
const luaHousekeeping = `
-- housekeep promotes due retries, recovers expired leases, fails jobs
-- queued too long and drops the expired jobs' index entries. These scans find nothing on almost every claim, so a
-- claim runs them only when asked to (the process's own pacing) and when
-- no claim of any process did within the interval (the guard key).
-- interval: ms; '0' = no guard. Jobs it puts back in the queue wake an
-- idle worker. Returns how many leases it recovered.
-- k: {pending=, running=, enq=, scheduled=, guard=}
local function housekeep(cfg, k, now, nows, interval, qtimeout, maxattempts)
  if interval ~= '0' and not redis.call('SET', k.guard, '1', 'PX', interval, 'NX') then return 0 end
  trim_finished(cfg, now)

  -- retries whose backoff is over go back to the queue
  local due = redis.call('ZRANGEBYSCORE', k.scheduled, '-inf', nows, 'LIMIT', '0', '100')
  local queued = #due
  for _, id in ipairs(due) do
    redis.call('ZREM', k.scheduled, id)
    local score = redis.call('HGET', cfg.base .. 'job:' .. id, 'score')
    if score then redis.call('ZADD', k.pending, score, id) end
  end

  -- leases that expired: the worker died; hand the job to someone else
  local recovered = 0
  local expired = redis.call('ZRANGEBYSCORE', k.running, '-inf', nows, 'LIMIT', '0', '20')
  for _, id in ipairs(expired) do
    redis.call('ZREM', k.running, id)
    local jk = cfg.base .. 'job:' .. id
    local f = redis.call('HMGET', jk, 'attempts', 'score', 'status', 'cancel')
    if f[3] == 'running' then
      recovered = recovered + 1
      if f[4] == '1' then
        -- its cancel was requested: no other worker takes it up
        finish(cfg, job_meta(jk), id, 'canceled', '', canceled_problem, 'JOB_CANCELED', now, nows, '')
      elseif tonumber(f[1] or '0') >= maxattempts then
        finish(cfg, job_meta(jk), id, 'failed', '', problem('ATTEMPTS_EXHAUSTED', 502, 'Bad Gateway',
          'The job was abandoned by its worker ' .. f[1] .. ' times (crash or timeout) and was given up.'), 'ATTEMPTS_EXHAUSTED', now, nows, '')
      else
        redis.call('HSET', jk, 'status', 'queued')
        redis.call('HDEL', jk, 'lease')
        redis.call('ZADD', k.pending, f[2], id)
        queued = queued + 1
      end
    end
  end
  if queued > 0 then redis.call('ZADD', k.wake, '0', 'w') end

  -- jobs queued for longer than the queue timeout fail
  if qtimeout > 0 then
    local stale = redis.call('ZRANGEBYSCORE', k.enq, '-inf', int(now - qtimeout), 'LIMIT', '0', '20')
    for _, id in ipairs(stale) do
      redis.call('ZREM', k.enq, id)
      redis.call('ZREM', k.scheduled, id)
      if redis.call('ZREM', k.pending, id) == 1 then
        finish(cfg, job_meta(cfg.base .. 'job:' .. id), id, 'failed', '', problem('QUEUE_TIMEOUT', 504, 'Gateway Timeout',
          'The job waited in the queue longer than the queue timeout.'), 'QUEUE_TIMEOUT', now, nows, '')
      end
    end
  end
  return recovered
end
`

// luaClaim is prepended to the scripts that claim jobs, after
// luaHousekeeping.
const luaClaim = `
-- claim leases the next job (or the one named) to a worker, after
-- housekeeping when asked to. a: ARGV from index i: token, job id ("" =
-- next), housekeeping (interval ms, or -1 to skip it), then the queue's
-- lease ms, max in flight (0 = no cap), queue timeout ms, max attempts and
-- live ttl ms (queue timeout + retention). chain: wake another idle worker
-- while more jobs wait. A worker claiming right after its last job need
-- not: workers wait only after finding the queue empty (then the next
-- enqueue wakes one, and each woken claim the next) or full (MaxInFlight:
-- the slot the worker freed is the one it takes).
-- Returns {'paused', ms, recovered} | {'busy', 0, recovered} |
-- {'none', 0, recovered} | {'ok', now, recovered, id, attempts, created_at,
-- kind, priority, owner, payload, rid, cid, dest, dedup, tp}.
local function claim(cfg, k, a, i, now, nows, chain)
  local token, want, hk, maxinflight = a[i], a[i+1], a[i+2], a[i+4]
  local recovered = 0
  if hk ~= '-1' then recovered = housekeep(cfg, k, now, nows, hk, tonumber(a[i+5]), tonumber(a[i+6])) end

  local pttl = redis.call('PTTL', k.paused)
  if pttl > 0 then return {'paused', pttl, recovered} end
  if maxinflight ~= '0' and redis.call('ZCARD', k.running) >= tonumber(maxinflight) then return {'busy', 0, recovered} end

  local id
  if want ~= '' then
    if redis.call('ZREM', k.pending, want) == 0 then return {'none', 0, recovered} end
    id = want
  else
    local popped = redis.call('ZPOPMIN', k.pending)
    if #popped == 0 then return {'none', 0, recovered} end
    id = popped[1]
  end
  redis.call('ZREM', k.enq, id)
  if chain and redis.call('ZCARD', k.pending) > 0 then redis.call('ZADD', k.wake, '0', 'w') end
  local jk = cfg.base .. 'job:' .. id
  -- what a worker needs of the record, in the order the caller reads it
  local f = redis.call('HMGET', jk, 'created_at', 'attempts', 'kind', 'priority', 'owner', 'payload', 'rid', 'cid', 'dest', 'dedup', 'tp')
  -- a job whose record expired (no claim within its whole retention) is gone
  if not f[1] then return {'none', 0, recovered} end
  local attempts = tonumber(f[2] or '0') + 1
  redis.call('HSET', jk, 'status', 'running', 'started_at', nows, 'lease', token, 'attempts', int(attempts))
  -- the safety-net expiry of a live job restarts with each attempt
  redis.call('PEXPIRE', jk, a[i+7])
  redis.call('ZADD', k.running, int(now + tonumber(a[i+3])), id)
  return {'ok', now, recovered, id, attempts, f[1], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]}
end
`

// luaComplete is prepended to the scripts that record outcomes.
const luaComplete = `
-- complete records a worker's outcome, fenced by its lease token: a
-- worker whose lease was taken over can no longer change the job. a: ARGV
-- from index i: id, token, outcome (succeeded|failed|canceled|retry|handback|again),
-- result (for again: the progress), error problem JSON, error code, retry
-- (or again) delay ms, max attempts,
-- pause ms, event extra JSON, then the job's owner and dedup key and,
-- with the outbox only, its kind, request id, correlation id and
-- destination (as claimed; they never change) and the event's traceparent. wake: wake an idle worker
-- if work waits (the caller claims no job itself).
-- Returns {outcome, now} | {'stale', status}
local function complete(cfg, k, a, i, now, nows, wake)
  local id = a[i]
  local jk = cfg.base .. 'job:' .. id
  local f = redis.call('HMGET', jk, 'status', 'lease', 'cancel')
  if f[1] ~= 'running' or f[2] ~= a[i+1] then return {'stale', f[1] or ''} end
  local outcome = a[i+2]
  redis.call('ZREM', k.running, id)
  -- a finished job frees a slot: wake an idle worker only if work waits
  if wake and redis.call('ZCARD', k.pending) > 0 then redis.call('ZADD', k.wake, '0', 'w') end
  local m = {owner = a[i+10], dedup = given(a[i+11])}
  if cfg.outbox ~= '' then
    m.kind, m.rid, m.cid, m.dest, m.tp = a[i+12], given(a[i+13]), given(a[i+14]), given(a[i+15]), given(a[i+16])
  end
  -- A requested cancel decides the outcome, whatever the worker reports: a
  -- handler that ran on past the request (or finished before it heard of
  -- it) leaves no result.
  if f[3] == '1' then
    local err = a[i+4]
    if outcome ~= 'canceled' or err == '' then err = canceled_problem end
    -- a job that runs in steps keeps the progress it reports
    local progress = ''
    if outcome == 'again' then progress = a[i+3] end
    finish(cfg, m, id, 'canceled', progress, err, 'JOB_CANCELED', now, nows, '')
    return {'canceled', now}
  end
  if outcome == 'again' then
    -- a job that runs in steps waits for work that runs elsewhere: it
    -- keeps its progress as its result and runs again after the delay,
    -- without using an attempt
    redis.call('HSET', jk, 'status', 'queued', 'result', a[i+3])
    redis.call('HINCRBY', jk, 'attempts', '-1')
    redis.call('HDEL', jk, 'lease')
    redis.call('ZADD', k.scheduled, int(now + tonumber(a[i+6])), id)
    redis.call('PUBLISH', cfg.chan, id .. ' queued')
    return {'again', now}
  end
  if outcome == 'retry' or outcome == 'handback' then
    -- only these outcomes need more of the record
    local g = redis.call('HMGET', jk, 'attempts', 'score')
    if outcome == 'retry' and tonumber(g[1]) >= tonumber(a[i+7]) then outcome = 'failed' end
    if outcome == 'retry' then
      redis.call('HSET', jk, 'status', 'queued', 'error', a[i+4])
      redis.call('HDEL', jk, 'lease')
      redis.call('ZADD', k.scheduled, int(now + tonumber(a[i+6])), id)
      redis.call('PUBLISH', cfg.chan, id .. ' queued')
      return {'retry', now}
    end
    if outcome == 'handback' then
      redis.call('HSET', jk, 'status', 'queued')
      redis.call('HINCRBY', jk, 'attempts', '-1')
      redis.call('HDEL', jk, 'lease')
      redis.call('ZADD', k.pending, g[2], id)
      redis.call('ZADD', k.wake, '0', 'w')
      local pause = tonumber(a[i+8])
      if pause > 0 then
        local cur = redis.call('PTTL', k.paused)
        if cur < pause then redis.call('SET', k.paused, '1', 'PX', a[i+8]) end
      end
      redis.call('PUBLISH', cfg.chan, id .. ' queued')
      return {'handback', now}
    end
  end
  if outcome == 'canceled' then
    finish(cfg, m, id, 'canceled', '', a[i+4], 'JOB_CANCELED', now, nows, '')
    return {'canceled', now}
  end
  finish(cfg, m, id, outcome, a[i+3], a[i+4], a[i+5], now, nows, a[i+9])
  return {outcome, now}
end
`

// The scripts that claim and complete jobs share their keys:
// KEYS: 1 pending, 2 running, 3 enq, 4 scheduled, 5 wake, 6 paused, 7 housekeeping guard
const luaQueueKeys = `
local k = {pending = KEYS[1], running = KEYS[2], enq = KEYS[3], scheduled = KEYS[4], wake = KEYS[5], paused = KEYS[6], guard = KEYS[7]}
`

// claimScript claims a job. ARGV: cfg(7), 8.. claim's arguments.
var claimScript = redis.NewScript(luaLib + luaHousekeeping + luaClaim + luaQueueKeys + `
local now, nows = clock()
return claim(cfg_from(ARGV, 1), k, ARGV, 8, now, nows, true)
`)

// completeScript records an outcome. ARGV: cfg(7), 8.. complete's arguments.
var completeScript = redis.NewScript(luaLib + luaComplete + luaQueueKeys + `
local now, nows = clock()
return complete(cfg_from(ARGV, 1), k, ARGV, 8, now, nows, true)
`)

// completeClaimScript records an outcome and, unless the lease was lost,
// claims the worker's next job: a long-lived worker's one round trip per
// job. ARGV: cfg(7), 8..15 claim's arguments, 16.. complete's.
// Returns complete's answer followed by claim's, or {'stale', status}.
var completeClaimScript = redis.NewScript(luaLib + luaHousekeeping + luaClaim + luaComplete + luaQueueKeys + `
local cfg = cfg_from(ARGV, 1)
local now, nows = clock()
local done = complete(cfg, k, ARGV, 16, now, nows, false)
if done[1] == 'stale' then return done end
local c = claim(cfg, k, ARGV, 8, now, nows, false)
for j = 1, #c do done[#done + 1] = c[j] end
return done
`)

// renewScript extends a running job's lease, fenced by token, and reports a
// pending cancel. KEYS: 1 running. ARGV: cfg(7), 8 id, 9 token, 10 lease ms
var renewScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local jk = cfg.base .. 'job:' .. ARGV[8]
local f = redis.call('HMGET', jk, 'status', 'lease', 'cancel')
if f[1] ~= 'running' or f[2] ~= ARGV[9] then return 'lost' end
redis.call('ZADD', KEYS[1], 'XX', int(clock() + tonumber(ARGV[10])), ARGV[8])
if f[3] == '1' then return 'cancel' end
return 'ok'
`)

// cancelScript cancels a queued job at once and signals a running one.
// KEYS: 1 pending, 2 enq, 3 scheduled. ARGV: cfg(7), 8 id
var cancelScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[8]
local jk = cfg.base .. 'job:' .. id
local st = redis.call('HGET', jk, 'status')
if not st then return {'missing'} end
if st == 'queued' then
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  local now, nows = clock()
  finish(cfg, job_meta(jk), id, 'canceled', '', problem('JOB_CANCELED', 409, 'Conflict', 'The job was canceled.'), 'JOB_CANCELED', now, nows, '')
  return {'canceled'}
end
if st == 'running' then
  redis.call('HSET', jk, 'cancel', '1')
  redis.call('PUBLISH', cfg.chan, id .. ' cancel')
  return {'signalled'}
end
return {'final', st}
`)

// prioritizeScript moves a queued job to another band, keeping its FIFO
// place within the band. KEYS: 1 pending. ARGV: cfg(7), 8 id, 9 band, 10 priority
var prioritizeScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[8]
local jk = cfg.base .. 'job:' .. id
local f = redis.call('HMGET', jk, 'status', 'score')
if not f[1] then return {'missing'} end
if f[1] ~= 'queued' then return {'final', f[1]} end
local seq = tonumber(f[2]) % 1e15
local score = int(tonumber(ARGV[9]) * 1e15 + seq)
redis.call('HSET', jk, 'score', score, 'priority', ARGV[10])
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], score, id)
  return {'ok', redis.call('ZRANK', KEYS[1], id)}
end
return {'ok', -1}
`)

// retryScript queues a new job with the request of a failed or canceled
// one — kind, payload, owner, priority, correlation id (the old job's id
// when it had none) and destination — and links the two: retry_of on the
// new job's record, retried_as on the old one's. A job is retried once.
// KEYS: 1 pending, 2 enq, 3 seq, 4 wake, 5 running, 6 paused (as
// enqueueScript's). ARGV: 1 key prefix, 2 the old job's id, 3 the new
// job's id, 4 max depth, 5 live ttl ms, 6 request id ("" = the old job's),
// 7 traceparent ("" = none)
// Returns {'ok', position - 1, now} | {'full'} | {'missing'} |
// {'retried', id of the retry} | {'final', status}
var retryScript = redis.NewScript(luaClock + luaEnqueue + `
local base, old, new = ARGV[1], ARGV[2], ARGV[3]
local ok = base .. 'job:' .. old
local f = redis.call('HMGET', ok, 'status', 'retried_as', 'kind', 'owner', 'priority', 'payload', 'cid', 'dest', 'rid')
if not f[1] then return {'missing'} end
if f[2] then return {'retried', f[2]} end
if f[1] ~= 'failed' and f[1] ~= 'canceled' then return {'final', f[1]} end
local prio = f[5] or 'normal'
-- (the bands of Priority.band)
local band = ({urgent = '0', high = '1', normal = '2', low = '3'})[prio] or '2'
-- enqueue's arguments: no dedup, no claim; then the record's other fields
local a = {base, new, band, ARGV[4], '0', ARGV[5], f[4] or '', f[3] or '', prio, f[6] or '', '', '0', '0', '0',
  'retry_of', old, 'cid', f[7] or old}
local rid = ARGV[6]
if rid == '' then rid = f[9] end
if rid then
  a[#a + 1] = 'rid'
  a[#a + 1] = rid
end
if f[8] then
  a[#a + 1] = 'dest'
  a[#a + 1] = f[8]
end
if ARGV[7] ~= '' then
  a[#a + 1] = 'tp'
  a[#a + 1] = ARGV[7]
end
local res = enqueue(KEYS, a)
if res[1] == 'ok' then redis.call('HSET', ok, 'retried_as', new) end
return res
`)

// maxRunningListed caps the running jobs a page of running jobs sorts: the
// running set is scored by lease, so listing them by start time reads it
// whole.
const maxRunningListed = 5000

// listScript reads one page of the jobs of one status of one queue: the
// entries of the status's set after the cursor, in the listing's order,
// whose record has the status, and the kind and owner asked for ("" =
// any). A page ends after limit jobs, after budget entries were examined
// (a filter may match few of them), or with the set. Orders:
//   - succeeded, failed, canceled: their index of finished jobs, newest
//     first (scored by finish time, ms); an entry whose job expired is
//     dropped when met;
//   - queued: the pending set in queue order (position 1 first), then the
//     retries waiting for their backoff by due time;
//   - running: by start time, newest first (the running set is scored by
//     lease, so it is read whole, at most maxRunningListed jobs).
//
// KEYS: 1 the status's set (finished:<status>, pending or running), 2
// scheduled. ARGV: 1 key prefix, 2 status, 3 cursor segment ("" = from the
// start; p pending, s scheduled, f the finished index or running), 4
// cursor score, 5 cursor id, 6 kind, 7 owner, 8 limit, 9 budget.
// Returns {ended (1|0), segment, score, id of the last entry examined ("" =
// none), then each job: {segment, score, position (0 = none), record as
// field/value pairs}}.
var listScript = redis.NewScript(luaClock + `
local base, status, cseg, cscore, cid = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local kind, owner, limit, budget = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
local jobs, examined, last = {}, 0, {'', '', ''}

-- walk calls visit(id, score) with each entry of the sorted set key after
-- the one at (after, after_id), every entry when after is nil, in
-- ascending order of score then member (descending with desc), until
-- visit returns false. Returns whether the set ended first.
local function walk(key, desc, after, after_id, visit)
  local from, at = '-inf', nil
  if desc then from = '+inf' end
  if after then from, at = after, tonumber(after) end
  local offset = 0
  while true do
    local r
    if desc then
      r = redis.call('ZREVRANGEBYSCORE', key, from, '-inf', 'WITHSCORES', 'LIMIT', int(offset), '100')
    else
      r = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', int(offset), '100')
    end
    for i = 1, #r, 2 do
      local id, score = r[i], r[i + 1]
      -- entries of the cursor's own score come in member order; those up
      -- to the cursor's were listed
      local listed = at and tonumber(score) == at and ((desc and id >= after_id) or (not desc and id <= after_id))
      if not listed and not visit(id, score) then return false end
    end
    if #r < 200 then return true end
    offset = offset + 100
  end
end

-- look returns the record of a job to list, and the job's status
local function look(id)
  local jk = base .. 'job:' .. id
  local f = redis.call('HMGET', jk, 'status', 'kind', 'owner')
  if f[1] ~= status or (kind ~= '' and f[2] ~= kind) or (owner ~= '' and f[3] ~= owner) then return nil, f[1] end
  return redis.call('HGETALL', jk), f[1]
end

-- visitor examines the entries of one segment
local function visitor(seg, key)
  return function(id, score)
    if #jobs >= limit or examined >= budget then return false end
    examined = examined + 1
    last = {seg, score, id}
    local rec, st = look(id)
    if rec then
      local pos = 0
      if seg == 'p' then pos = redis.call('ZRANK', key, id) + 1 end
      jobs[#jobs + 1] = {seg, score, pos, rec}
    elseif not st and seg == 'f' then
      -- its job expired before housekeeping dropped the entry
      redis.call('ZREM', key, id)
    end
    return true
  end
end

-- from is the cursor's score when the cursor is in segment seg
local function from(seg)
  if cseg == seg then return cscore end
  return nil
end

local ended = true
if status == 'queued' then
  if cseg ~= 's' then ended = walk(KEYS[1], false, from('p'), cid, visitor('p', KEYS[1])) end
  if ended then ended = walk(KEYS[2], false, from('s'), cid, visitor('s', KEYS[2])) end
elseif status == 'running' then
  local rows = {}
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '0', '` + strconv.Itoa(maxRunningListed-1) + `')) do
    local f = redis.call('HMGET', base .. 'job:' .. id, 'status', 'kind', 'owner', 'started_at')
    if f[1] == 'running' and (kind == '' or f[2] == kind) and (owner == '' or f[3] == owner) then
      rows[#rows + 1] = {tonumber(f[4]) or 0, id, f[4] or '0'}
    end
  end
  table.sort(rows, function(x, y)
    if x[1] ~= y[1] then return x[1] > y[1] end
    return x[2] > y[2]
  end)
  local at = tonumber(cscore)
  for _, r in ipairs(rows) do
    if cseg ~= 'f' or r[1] < at or (r[1] == at and r[2] < cid) then
      if #jobs >= limit then
        ended = false
        break
      end
      last = {'f', r[3], r[2]}
      jobs[#jobs + 1] = {'f', r[3], 0, redis.call('HGETALL', base .. 'job:' .. r[2])}
    end
  end
else
  ended = walk(KEYS[1], true, from('f'), cid, visitor('f', KEYS[1]))
end
local out = {0, last[1], last[2], last[3]}
if ended then out[1] = 1 end
for _, j in ipairs(jobs) do out[#out + 1] = j end
return out
`)

// ScriptNames maps the SHA1 of each of the queue's scripts to its name, for
// the spans of script calls (tracing.RedisHook).
func ScriptNames() map[string]string {
	return map[string]string{
		enqueueScript.Hash(): "queue.enqueue", finishedScript.Hash(): "queue.store_finished",
		claimScript.Hash(): "queue.claim", completeScript.Hash(): "queue.complete",
		completeClaimScript.Hash(): "queue.complete_claim", renewScript.Hash(): "queue.renew",
		cancelScript.Hash(): "queue.cancel", prioritizeScript.Hash(): "queue.prioritize",
		retryScript.Hash(): "queue.retry", listScript.Hash(): "queue.list",
		addChildrenScript.Hash(): "queue.add_children",
	}
}
