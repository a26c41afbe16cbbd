package queue

import "github.com/redis/go-redis/v9"

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

-- finish moves a job to a final status in one step: the record, its expiry,
-- the dedup and owner indexes, the per-minute stats, the outbox event and
-- the wake-up of waiters. A lease or cancel request left in the record no
-- longer counts: both are read only while the job runs.
-- cfg: {base=, ttl=, chan=, outbox=, outbox_max=, source=}
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
  redis.call('PEXPIRE', jk, cfg.ttl)
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

local function cfg_from(argv, i)
  return {base = argv[i], ttl = argv[i+1], chan = argv[i+2], outbox = argv[i+3], outbox_max = argv[i+4], source = argv[i+5]}
end

local function problem(code, status, title, detail)
  return cjson.encode({type = 'urn:dnd-llm-service:problem:' .. code, title = title, status = status, detail = detail, code = code})
end

-- the problem of a running job whose cancel was requested (as problem()
-- would encode it; a literal costs nothing per script run)
local canceled_problem = '{"type":"urn:dnd-llm-service:problem:JOB_CANCELED","title":"Conflict","status":409,' ..
  '"detail":"The job was canceled while it ran.","code":"JOB_CANCELED"}'
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
var enqueueScript = redis.NewScript(luaClock + `
local base, id, owner, dedupkey, token = ARGV[1], ARGV[2], ARGV[7], KEYS[7], ARGV[11]
if dedupkey then
  local existing = redis.call('GET', dedupkey)
  if existing then
    local st = redis.call('HGET', base .. 'job:' .. existing, 'status')
    if st == 'queued' or st == 'running' then return {'dup', existing} end
  end
end
local depth = redis.call('ZCARD', KEYS[1])
if depth >= tonumber(ARGV[4]) then
  return {'full'}
end
local claim = false
if token ~= '' and (depth == 0 or ARGV[14] == '1') and redis.call('PTTL', KEYS[6]) <= 0 then
  claim = ARGV[13] == '0' or redis.call('ZCARD', KEYS[5]) < tonumber(ARGV[13])
end
local now, nows = clock()
local score = int(tonumber(ARGV[3]) * 1e15 + redis.call('INCR', KEYS[3]))
local jk = base .. 'job:' .. id
-- (attempts stays absent, 0, until the first claim)
local f = {'id', id, 'status', claim and 'running' or 'queued', 'created_at', nows, 'score', score,
  'owner', owner, 'kind', ARGV[8], 'priority', ARGV[9], 'payload', ARGV[10]}
if claim then
  for _, v in ipairs({'started_at', nows, 'lease', token, 'attempts', '1'}) do f[#f + 1] = v end
end
for i = 15, #ARGV do f[#f + 1] = ARGV[i] end
redis.call('HSET', jk, unpack(f))
-- a live job expires too, should everything else fail: queue timeout + retention
redis.call('PEXPIRE', jk, ARGV[6])
redis.call('SADD', base .. 'owner:' .. owner, id)
if dedupkey then redis.call('SET', dedupkey, id, 'PX', ARGV[5]) end
if claim then
  redis.call('ZADD', KEYS[5], int(now + tonumber(ARGV[12])), id)
  return {'claimed', 0, now}
end
redis.call('ZADD', KEYS[1], score, id)
redis.call('ZADD', KEYS[2], nows, id)
-- The first job of an empty queue wakes an idle worker. A worker that
-- claims a job wakes another while more wait, so later jobs need not.
if depth == 0 then redis.call('ZADD', KEYS[4], '0', 'w') end
return {'ok', redis.call('ZRANK', KEYS[1], id), now}
`)

// finishedScript stores a job that is already final (a cache hit).
// KEYS: none used beyond the job (derived).
// ARGV: cfg(6), 7 id, 8 status, 9 result, 10 owner, 11 kind, 12 priority,
// 13.. more fields
var finishedScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
cfg.stored = true
local id = ARGV[7]
local now, nows = clock()
local jk = cfg.base .. 'job:' .. id
redis.call('HSET', jk, 'id', id, 'status', 'running', 'attempts', '0', 'created_at', nows, 'started_at', nows,
  'owner', ARGV[10], 'kind', ARGV[11], 'priority', ARGV[12], unpack(ARGV, 13))
finish(cfg, job_meta(jk), id, ARGV[8], ARGV[9], '', '', now, nows, '')
return now
`)

// luaHousekeeping is prepended to the scripts that claim jobs.
const luaHousekeeping = `
-- housekeep promotes due retries, recovers expired leases and fails jobs
-- queued too long. These scans find nothing on almost every claim, so a
-- claim runs them only when asked to (the process's own pacing) and when
-- no claim of any process did within the interval (the guard key).
-- interval: ms; '0' = no guard. Jobs it puts back in the queue wake an
-- idle worker. Returns how many leases it recovered.
-- k: {pending=, running=, enq=, scheduled=, guard=}
local function housekeep(cfg, k, now, nows, interval, qtimeout, maxattempts)
  if interval ~= '0' and not redis.call('SET', k.guard, '1', 'PX', interval, 'NX') then return 0 end

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

// claimScript claims a job. ARGV: cfg(6), 7.. claim's arguments.
var claimScript = redis.NewScript(luaLib + luaHousekeeping + luaClaim + luaQueueKeys + `
local now, nows = clock()
return claim(cfg_from(ARGV, 1), k, ARGV, 7, now, nows, true)
`)

// completeScript records an outcome. ARGV: cfg(6), 7.. complete's arguments.
var completeScript = redis.NewScript(luaLib + luaComplete + luaQueueKeys + `
local now, nows = clock()
return complete(cfg_from(ARGV, 1), k, ARGV, 7, now, nows, true)
`)

// completeClaimScript records an outcome and, unless the lease was lost,
// claims the worker's next job: a long-lived worker's one round trip per
// job. ARGV: cfg(6), 7..14 claim's arguments, 15.. complete's.
// Returns complete's answer followed by claim's, or {'stale', status}.
var completeClaimScript = redis.NewScript(luaLib + luaHousekeeping + luaClaim + luaComplete + luaQueueKeys + `
local cfg = cfg_from(ARGV, 1)
local now, nows = clock()
local done = complete(cfg, k, ARGV, 15, now, nows, false)
if done[1] == 'stale' then return done end
local c = claim(cfg, k, ARGV, 7, now, nows, false)
for j = 1, #c do done[#done + 1] = c[j] end
return done
`)

// renewScript extends a running job's lease, fenced by token, and reports a
// pending cancel. KEYS: 1 running. ARGV: cfg(6), 7 id, 8 token, 9 lease ms
var renewScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local jk = cfg.base .. 'job:' .. ARGV[7]
local f = redis.call('HMGET', jk, 'status', 'lease', 'cancel')
if f[1] ~= 'running' or f[2] ~= ARGV[8] then return 'lost' end
redis.call('ZADD', KEYS[1], 'XX', int(clock() + tonumber(ARGV[9])), ARGV[7])
if f[3] == '1' then return 'cancel' end
return 'ok'
`)

// cancelScript cancels a queued job at once and signals a running one.
// KEYS: 1 pending, 2 enq, 3 scheduled. ARGV: cfg(6), 7 id
var cancelScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[7]
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
// place within the band. KEYS: 1 pending. ARGV: cfg(6), 7 id, 8 band, 9 priority
var prioritizeScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[7]
local jk = cfg.base .. 'job:' .. id
local f = redis.call('HMGET', jk, 'status', 'score')
if not f[1] then return {'missing'} end
if f[1] ~= 'queued' then return {'final', f[1]} end
local seq = tonumber(f[2]) % 1e15
local score = int(tonumber(ARGV[8]) * 1e15 + seq)
redis.call('HSET', jk, 'score', score, 'priority', ARGV[9])
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], score, id)
  return {'ok', redis.call('ZRANK', KEYS[1], id)}
end
return {'ok', -1}
`)

// ScriptNames maps the SHA1 of each of the queue's scripts to its name, for
// the spans of script calls (tracing.RedisHook).
func ScriptNames() map[string]string {
	return map[string]string{
		enqueueScript.Hash(): "queue.enqueue", finishedScript.Hash(): "queue.store_finished",
		claimScript.Hash(): "queue.claim", completeScript.Hash(): "queue.complete",
		completeClaimScript.Hash(): "queue.complete_claim", renewScript.Hash(): "queue.renew",
		cancelScript.Hash(): "queue.cancel", prioritizeScript.Hash(): "queue.prioritize",
		addChildrenScript.Hash(): "queue.add_children",
	}
}
