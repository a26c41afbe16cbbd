package queue

import "github.com/redis/go-redis/v9"

// Every script touches only keys under one queue's hash tag, so it runs on
// one Redis Cluster slot. Time comes from redis.call('TIME'), never from the
// client, so replicas with skewed clocks agree on leases and timeouts.
//
// Job keys are derived inside the scripts from the queue's key prefix (an
// ARGV); they share the queue's hash tag.

// luaLib is prepended to every script.
const luaLib = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function opt(v)
  if v then return v end
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

-- finish moves a job to a final status in one step: the record, its expiry,
-- the dedup and owner indexes, the per-minute stats, the outbox event and
-- the wake-up of waiters.
-- cfg: {base=, ttl=, chan=, outbox=, outbox_max=, source=}
local function finish(cfg, id, status, result, err, code, now, extra)
  local jk = cfg.base .. 'job:' .. id
  redis.call('HSET', jk, 'status', status, 'finished_at', now)
  if result ~= nil and result ~= '' then redis.call('HSET', jk, 'result', result) end
  if err ~= nil and err ~= '' then redis.call('HSET', jk, 'error', err) end
  redis.call('HDEL', jk, 'lease', 'cancel')
  local f = redis.call('HMGET', jk, 'dedup', 'owner', 'kind', 'rid', 'cid', 'dest', 'created_at', 'started_at', 'attempts', 'priority')
  if f[1] and f[1] ~= '' then
    if redis.call('GET', f[1]) == id then redis.call('DEL', f[1]) end
  end
  if f[2] then redis.call('SREM', cfg.base .. 'owner:' .. f[2], id) end
  redis.call('PEXPIRE', jk, cfg.ttl)
  local sk = cfg.base .. 'stats:' .. math.floor(now / 60000)
  redis.call('HINCRBY', sk, status, 1)
  redis.call('EXPIRE', sk, 3900)
  if cfg.outbox ~= '' then
    local group = string.match(f[3] or '', '^([^.]+)') or 'job'
    local data = {job_id = id, kind = opt(f[3]), status = status, owner = opt(f[2]), correlation_id = opt(f[5])}
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
      metadata = {event_id = id .. ':' .. status, timestamp = iso(now), request_id = opt(f[4]), destination = opt(f[6])},
      correlation_id = opt(f[5]),
      causation_id = opt(f[4]),
    }
    redis.call('XADD', cfg.outbox, 'MAXLEN', '~', cfg.outbox_max, '*', 'e', cjson.encode(ev))
  end
  redis.call('PUBLISH', cfg.chan, id .. ' ' .. status)
end

local function cfg_from(argv, i)
  return {base = argv[i], ttl = tonumber(argv[i+1]), chan = argv[i+2], outbox = argv[i+3], outbox_max = tonumber(argv[i+4]), source = argv[i+5]}
end

local function problem(code, status, title, detail)
  return cjson.encode({type = 'urn:dnd-llm-service:problem:' .. code, title = title, status = status, detail = detail, code = code})
end
`

// enqueueScript adds a job, or returns the live job it duplicates.
// KEYS: 1 pending, 2 enq (created index), 3 seq, 4 wake, 5 dedup key ("" slot-mate when unused)
// ARGV: cfg(6), 7 id, 8 band, 9 max depth, 10 dedup ttl ms (0 = none),
//
//	11 live ttl ms (queue timeout + retention), 12.. field/value pairs for the job hash
var enqueueScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[7]
local band = tonumber(ARGV[8])
local maxdepth = tonumber(ARGV[9])
local dedupttl = tonumber(ARGV[10])
if dedupttl > 0 then
  local existing = redis.call('GET', KEYS[5])
  if existing then
    local st = redis.call('HGET', cfg.base .. 'job:' .. existing, 'status')
    if st == 'queued' or st == 'running' then
      local pos = redis.call('ZRANK', KEYS[1], existing)
      return {'dup', existing, pos or -1}
    end
  end
end
if redis.call('ZCARD', KEYS[1]) >= maxdepth then
  return {'full'}
end
local now = now_ms()
local seq = redis.call('INCR', KEYS[3])
local score = band * 1e15 + seq
local jk = cfg.base .. 'job:' .. id
local fields = {'id', id, 'status', 'queued', 'attempts', 0, 'created_at', now, 'score', string.format('%d', score)}
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
if dedupttl > 0 then
  fields[#fields + 1] = 'dedup'
  fields[#fields + 1] = KEYS[5]
end
redis.call('HSET', jk, unpack(fields))
-- a queued job expires too, should everything else fail: queue timeout + retention
redis.call('PEXPIRE', jk, tonumber(ARGV[11]))
redis.call('ZADD', KEYS[1], score, id)
redis.call('ZADD', KEYS[2], now, id)
local owner = redis.call('HGET', jk, 'owner')
if owner then redis.call('SADD', cfg.base .. 'owner:' .. owner, id) end
if dedupttl > 0 then redis.call('SET', KEYS[5], id, 'PX', dedupttl) end
redis.call('ZADD', KEYS[4], 0, 'w')
local pos = redis.call('ZRANK', KEYS[1], id)
return {'ok', id, pos, now}
`)

// finishedScript stores a job that is already final (a cache hit).
// KEYS: none used beyond the job (derived). ARGV: cfg(6), 7 id, 8 status, 9 result, 10.. fields
var finishedScript = redis.NewScript(luaLib + `
local cfg = cfg_from(ARGV, 1)
local id = ARGV[7]
local now = now_ms()
local jk = cfg.base .. 'job:' .. id
local fields = {'id', id, 'status', 'running', 'attempts', 0, 'created_at', now, 'started_at', now}
for i = 10, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', jk, unpack(fields))
finish(cfg, id, ARGV[8], ARGV[9], '', '', now, '')
return now
`)

// luaHousekeeping is prepended to the scripts that claim jobs.
const luaHousekeeping = `
-- housekeep promotes due retries, recovers expired leases and fails jobs
-- queued too long. These scans find nothing on almost every claim, so a
-- claim runs them only when asked to (the process's own pacing) and when
-- no claim of any process did within the interval (the guard key).
-- interval: ms; 0 = no guard. Returns how many leases it recovered.
-- k: {pending=, running=, enq=, scheduled=, guard=}
local function housekeep(cfg, k, now, interval, qtimeout, maxattempts)
  if interval > 0 and not redis.call('SET', k.guard, '1', 'PX', interval, 'NX') then return 0 end

  -- retries whose backoff is over go back to the queue
  local due = redis.call('ZRANGEBYSCORE', k.scheduled, '-inf', now, 'LIMIT', 0, 100)
  for _, id in ipairs(due) do
    redis.call('ZREM', k.scheduled, id)
    local score = redis.call('HGET', cfg.base .. 'job:' .. id, 'score')
    if score then redis.call('ZADD', k.pending, score, id) end
  end

  -- leases that expired: the worker died; hand the job to someone else
  local recovered = 0
  local expired = redis.call('ZRANGEBYSCORE', k.running, '-inf', now, 'LIMIT', 0, 20)
  for _, id in ipairs(expired) do
    redis.call('ZREM', k.running, id)
    local jk = cfg.base .. 'job:' .. id
    local f = redis.call('HMGET', jk, 'attempts', 'score', 'status')
    if f[3] == 'running' then
      recovered = recovered + 1
      if tonumber(f[1] or '0') >= maxattempts then
        finish(cfg, id, 'failed', '', problem('ATTEMPTS_EXHAUSTED', 502, 'Bad Gateway',
          'The job was abandoned by its worker ' .. f[1] .. ' times (crash or timeout) and was given up.'), 'ATTEMPTS_EXHAUSTED', now, '')
      else
        redis.call('HSET', jk, 'status', 'queued')
        redis.call('HDEL', jk, 'lease')
        redis.call('ZADD', k.pending, f[2], id)
      end
    end
  end

  -- jobs queued for longer than the queue timeout fail
  if qtimeout > 0 then
    local stale = redis.call('ZRANGEBYSCORE', k.enq, '-inf', now - qtimeout, 'LIMIT', 0, 20)
    for _, id in ipairs(stale) do
      redis.call('ZREM', k.enq, id)
      redis.call('ZREM', k.scheduled, id)
      if redis.call('ZREM', k.pending, id) == 1 then
        finish(cfg, id, 'failed', '', problem('QUEUE_TIMEOUT', 504, 'Gateway Timeout',
          'The job waited in the queue longer than the queue timeout.'), 'QUEUE_TIMEOUT', now, '')
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
-- housekeeping when asked to. a: ARGV from index i: token, lease ms, max
-- in flight (0 = no cap), queue timeout ms, max attempts, job id ("" =
-- next), housekeeping (interval ms, or -1 to skip it).
-- Returns {'paused', ms, recovered} | {'busy', 0, recovered} |
-- {'none', 0, recovered} | {'ok', now, recovered, fields...}
local function claim(cfg, k, a, i, now)
  local token, lease, maxinflight = a[i], tonumber(a[i+1]), tonumber(a[i+2])
  local qtimeout, maxattempts, want, hk = tonumber(a[i+3]), tonumber(a[i+4]), a[i+5], tonumber(a[i+6])
  local recovered = 0
  if hk >= 0 then recovered = housekeep(cfg, k, now, hk, qtimeout, maxattempts) end

  local pttl = redis.call('PTTL', k.paused)
  if pttl > 0 then return {'paused', pttl, recovered} end
  if maxinflight > 0 and redis.call('ZCARD', k.running) >= maxinflight then return {'busy', 0, recovered} end

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
  local jk = cfg.base .. 'job:' .. id
  redis.call('HSET', jk, 'status', 'running', 'started_at', now, 'lease', token)
  redis.call('HINCRBY', jk, 'attempts', 1)
  -- the safety-net expiry of a live job restarts with each attempt
  redis.call('PEXPIRE', jk, qtimeout + cfg.ttl)
  redis.call('ZADD', k.running, now + lease, id)
  -- more work waits: wake another idle worker
  if redis.call('ZCARD', k.pending) > 0 then redis.call('ZADD', k.wake, 0, 'w') end
  local out = {'ok', now, recovered}
  local all = redis.call('HGETALL', jk)
  for j = 1, #all do out[#out + 1] = all[j] end
  return out
end
`

// luaComplete is prepended to the scripts that record outcomes.
const luaComplete = `
-- complete records a worker's outcome, fenced by its lease token: a
-- worker whose lease was taken over can no longer change the job. a: ARGV
-- from index i: id, token, outcome (succeeded|failed|canceled|retry|handback),
-- result, error problem JSON, error code, retry delay ms, max attempts,
-- pause ms, event extra JSON. wake: wake an idle worker if work waits (the
-- caller claims no job itself).
-- Returns {outcome, now} | {'stale', status}
local function complete(cfg, k, a, i, now, wake)
  local id = a[i]
  local jk = cfg.base .. 'job:' .. id
  local f = redis.call('HMGET', jk, 'status', 'lease', 'attempts', 'score', 'cancel')
  if f[1] ~= 'running' or f[2] ~= a[i+1] then return {'stale', f[1] or ''} end
  local outcome = a[i+2]
  redis.call('ZREM', k.running, id)
  -- a finished job frees a slot: wake an idle worker only if work waits
  if wake and redis.call('ZCARD', k.pending) > 0 then redis.call('ZADD', k.wake, 0, 'w') end
  if outcome == 'retry' and tonumber(f[3]) >= tonumber(a[i+7]) then outcome = 'failed' end
  if (outcome == 'retry' or outcome == 'handback') and f[5] == '1' then outcome = 'canceled' end
  if outcome == 'retry' then
    redis.call('HSET', jk, 'status', 'queued', 'error', a[i+4])
    redis.call('HDEL', jk, 'lease')
    redis.call('ZADD', k.scheduled, now + tonumber(a[i+6]), id)
    redis.call('PUBLISH', cfg.chan, id .. ' queued')
    return {'retry', now}
  end
  if outcome == 'handback' then
    redis.call('HSET', jk, 'status', 'queued')
    redis.call('HINCRBY', jk, 'attempts', -1)
    redis.call('HDEL', jk, 'lease')
    redis.call('ZADD', k.pending, f[4], id)
    redis.call('ZADD', k.wake, 0, 'w')
    local pause = tonumber(a[i+8])
    if pause > 0 then
      local cur = redis.call('PTTL', k.paused)
      if cur < pause then redis.call('SET', k.paused, '1', 'PX', pause) end
    end
    redis.call('PUBLISH', cfg.chan, id .. ' queued')
    return {'handback', now}
  end
  if outcome == 'canceled' then
    finish(cfg, id, 'canceled', '', a[i+4], 'JOB_CANCELED', now, '')
    return {'canceled', now}
  end
  finish(cfg, id, outcome, a[i+3], a[i+4], a[i+5], now, a[i+9])
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
return claim(cfg_from(ARGV, 1), k, ARGV, 7, now_ms())
`)

// completeScript records an outcome. ARGV: cfg(6), 7.. complete's arguments.
var completeScript = redis.NewScript(luaLib + luaComplete + luaQueueKeys + `
return complete(cfg_from(ARGV, 1), k, ARGV, 7, now_ms(), true)
`)

// completeClaimScript records an outcome and, unless the lease was lost,
// claims the worker's next job: a long-lived worker's one round trip per
// job. ARGV: cfg(6), 7..16 complete's arguments, 17.. claim's.
// Returns complete's answer followed by claim's, or {'stale', status}.
var completeClaimScript = redis.NewScript(luaLib + luaHousekeeping + luaClaim + luaComplete + luaQueueKeys + `
local cfg = cfg_from(ARGV, 1)
local now = now_ms()
local done = complete(cfg, k, ARGV, 7, now, false)
if done[1] == 'stale' then return done end
local c = claim(cfg, k, ARGV, 17, now)
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
redis.call('ZADD', KEYS[1], 'XX', now_ms() + tonumber(ARGV[9]), ARGV[7])
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
  finish(cfg, id, 'canceled', '', problem('JOB_CANCELED', 409, 'Conflict', 'The job was canceled.'), 'JOB_CANCELED', now_ms(), '')
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
local score = tonumber(ARGV[8]) * 1e15 + seq
redis.call('HSET', jk, 'score', string.format('%d', score), 'priority', ARGV[9])
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], score, id)
  return {'ok', redis.call('ZRANK', KEYS[1], id)}
end
return {'ok', -1}
`)
