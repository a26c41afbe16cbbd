package tracing

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// RedisHook returns a go-redis hook that records a client span for each
// Lua script call (EVAL, EVALSHA) made within a trace, and for each
// pipeline that holds one. names maps a script's SHA1 (redis.Script.Hash)
// to the name its span takes; an unnamed script is named by the first 8
// hex digits of its SHA1. Calls outside a trace (idle workers' claims,
// housekeeping) record nothing, and every other command passes through.
func RedisHook(names map[string]string) redis.Hook { return redisHook{names: names} }

type redisHook struct{ names map[string]string }

var _ redis.Hook = redisHook{}

func (redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		script, ok := h.script(cmd)
		if !ok || !Enabled() || !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmd)
		}
		ctx, span := Start(ctx, "redis "+script, trace.SpanKindClient,
			attribute.String("db.system.name", "redis"), attribute.String("db.operation.name", strings.ToUpper(cmd.Name())),
			attribute.String("db.redis.script", script))
		defer span.End()
		err := next(ctx, cmd)
		failed(span, err)
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !Enabled() || !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmds)
		}
		var scripts []string
		for _, c := range cmds {
			if s, ok := h.script(c); ok {
				scripts = append(scripts, s)
			}
		}
		if len(scripts) == 0 {
			return next(ctx, cmds)
		}
		ctx, span := Start(ctx, "redis pipeline "+strings.Join(scripts, ","), trace.SpanKindClient,
			attribute.String("db.system.name", "redis"), attribute.String("db.operation.name", "PIPELINE"),
			attribute.StringSlice("db.redis.scripts", scripts), attribute.Int("db.operation.batch.size", len(cmds)))
		defer span.End()
		err := next(ctx, cmds)
		failed(span, err)
		return err
	}
}

// script reports whether cmd runs a Lua script, and its name.
func (h redisHook) script(cmd redis.Cmder) (string, bool) {
	args := cmd.Args()
	if len(args) < 2 {
		return "", false
	}
	var sha string
	switch cmd.Name() {
	case "evalsha", "evalsha_ro":
		sha, _ = args[1].(string)
	case "eval", "eval_ro":
		src, _ := args[1].(string)
		sum := sha1.Sum([]byte(src))
		sha = hex.EncodeToString(sum[:])
	default:
		return "", false
	}
	if n, ok := h.names[sha]; ok {
		return n, true
	}
	return "script " + sha[:min(8, len(sha))], true
}

// failed marks span as failed by err. A reply that is nil (redis.Nil) or
// asks for the script's source (NOSCRIPT: the server does not know the
// script yet, and go-redis sends it with EVAL next) is no failure.
func failed(span trace.Span, err error) {
	if err == nil || errors.Is(err, redis.Nil) {
		return
	}
	if strings.HasPrefix(err.Error(), "NOSCRIPT") {
		span.SetAttributes(attribute.String("db.response.status_code", "NOSCRIPT"))
		return
	}
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}
