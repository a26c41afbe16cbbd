package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/getimg"
)

// defaultCheckpointTTL bounds how long a job's provider answers are kept
// should the job never finish, when the queue does not say how long its jobs
// live; a finished job clears them at once.
const defaultCheckpointTTL = 24 * time.Hour

// checkpoints persist the provider answers of a job, by step.
type checkpoints interface {
	Load(ctx context.Context, jobID string, step int) (getimg.Image, bool, error)
	Save(ctx context.Context, jobID string, step int, img getimg.Image) error
	Clear(ctx context.Context, jobID string) error
}

// redisCheckpoints keeps a job's answers in one Redis hash, field = step.
type redisCheckpoints struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

var _ checkpoints = (*redisCheckpoints)(nil)

func (c *redisCheckpoints) key(jobID string) string { return c.prefix + "imagesteps:{" + jobID + "}" }

// checkpoint is the stored form of one answer.
type checkpoint struct {
	Data     []byte  `json:"data"`
	MIME     string  `json:"mime"`
	Seed     int64   `json:"seed"`
	Cost     float64 `json:"cost"`
	Model    string  `json:"model"`
	Endpoint string  `json:"endpoint"`
}

func (c *redisCheckpoints) Load(ctx context.Context, jobID string, step int) (getimg.Image, bool, error) {
	b, err := c.rdb.HGet(ctx, c.key(jobID), strconv.Itoa(step)).Bytes()
	if errors.Is(err, redis.Nil) {
		return getimg.Image{}, false, nil
	}
	if err != nil {
		return getimg.Image{}, false, fmt.Errorf("load checkpoint: %w", err)
	}
	var cp checkpoint
	if err := json.Unmarshal(b, &cp); err != nil || len(cp.Data) == 0 {
		// Unreadable: as if absent, so the step runs again.
		return getimg.Image{}, false, nil
	}
	return getimg.Image{Data: cp.Data, MIME: cp.MIME, Seed: cp.Seed, Cost: cp.Cost, Model: cp.Model, Endpoint: cp.Endpoint}, true, nil
}

func (c *redisCheckpoints) Save(ctx context.Context, jobID string, step int, img getimg.Image) error {
	b, err := json.Marshal(checkpoint{Data: img.Data, MIME: img.MIME, Seed: img.Seed, Cost: img.Cost, Model: img.Model, Endpoint: img.Endpoint})
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	pipe := c.rdb.TxPipeline()
	pipe.HSet(ctx, c.key(jobID), strconv.Itoa(step), b)
	pipe.Expire(ctx, c.key(jobID), c.ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

func (c *redisCheckpoints) Clear(ctx context.Context, jobID string) error {
	if err := c.rdb.Del(ctx, c.key(jobID)).Err(); err != nil {
		return fmt.Errorf("clear checkpoints: %w", err)
	}
	return nil
}
