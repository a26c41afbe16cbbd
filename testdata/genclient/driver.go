// Command driver drives the service through the Go client oapi-codegen
// generates from openapi.json, using only the client's types: a request
// that names no documented field does not compile, and every answer is
// read through the typed job and result its discriminator picks.
// TestGeneratedClient builds and runs it in a module of its own.
//
// Usage: driver URL HELD_URL TOKEN, where HELD_URL is a service that runs
// no jobs, so a job stays queued there until it is canceled.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"clientcheck/client"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: driver URL HELD_URL TOKEN")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, heldURL, token string) error {
	auth := client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
	c, err := client.NewClientWithResponses(url, auth)
	if err != nil {
		return err
	}
	held, err := client.NewClientWithResponses(heldURL, auth)
	if err != nil {
		return err
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"sync text", func() error { return syncText(ctx, c) }},
		{"sync image", func() error { return syncImage(ctx, c) }},
		{"async and poll", func() error { return asyncAndPoll(ctx, c) }},
		{"cancel", func() error { return cancelQueued(ctx, held) }},
	} {
		if err := step.run(); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
		fmt.Println("ok:", step.name)
	}
	return nil
}

// syncText writes a seeded personality and reads it as the personality
// variant of the character result.
func syncText(ctx context.Context, c *client.ClientWithResponses) error {
	seed := int64(42)
	r, err := c.TextCharacterWithResponse(ctx, &client.TextCharacterParams{},
		client.CharacterRequest{Type: client.CharacterRequestTypePersonality, Seed: &seed})
	if err != nil {
		return err
	}
	if r.JSON200 == nil {
		return fmt.Errorf("answer %d, want 200 with a CharacterJob: %s", r.StatusCode(), r.Body)
	}
	job := r.JSON200
	if job.Kind != client.CharacterJobKindTextCharacter || job.Status != client.CharacterJobStatusSucceeded || job.Result == nil {
		return fmt.Errorf("job %s is %s/%s with result %v, want a succeeded text.character job", job.Id, job.Kind, job.Status, job.Result)
	}
	v, err := job.Result.ValueByDiscriminator()
	if err != nil {
		return err
	}
	p, ok := v.(client.CharacterPersonalityResult)
	if !ok {
		return fmt.Errorf("result is a %T, want a CharacterPersonalityResult", v)
	}
	if len(p.Content.Traits) == 0 || p.Content.Character.Name == "" || p.Seed == nil || *p.Seed != seed {
		return fmt.Errorf("personality %+v with seed %v, want traits, a name and seed %d", p.Content, p.Seed, seed)
	}
	return nil
}

// syncImage draws a portrait and reads the image of its result.
func syncImage(ctx context.Context, c *client.ClientWithResponses) error {
	r, err := c.ImageGenerateWithResponse(ctx, &client.ImageGenerateParams{}, client.ImageGenerateRequest{
		Type: client.ImageGenerateRequestTypeCharacterPortrait, Prompt: ptr("A dwarf cleric with a lantern"),
	})
	if err != nil {
		return err
	}
	if r.JSON200 == nil {
		return fmt.Errorf("answer %d, want 200 with an ImageGenerateJob: %s", r.StatusCode(), r.Body)
	}
	job := r.JSON200
	if job.Kind != client.ImageGenerateJobKindImageGenerate || job.Result == nil || job.Result.ImageData == nil || len(*job.Result.ImageData) == 0 {
		return fmt.Errorf("job %s of kind %s has no image", job.Id, job.Kind)
	}
	return nil
}

// asyncAndPoll submits a quest without waiting and polls the queue until
// the job, read as a CampaignJob, is done.
func asyncAndPoll(ctx context.Context, c *client.ClientWithResponses) error {
	now := client.SubmitWait(0)
	r, err := c.TextCampaignWithResponse(ctx, &client.TextCampaignParams{Wait: &now},
		client.CampaignRequest{Type: client.CampaignRequestTypeQuest})
	if err != nil {
		return err
	}
	if r.JSON202 == nil {
		return fmt.Errorf("answer %d, want 202 with a CampaignJob: %s", r.StatusCode(), r.Body)
	}
	id := r.JSON202.Id
	for {
		v, err := poll(ctx, c, id, 5)
		if err != nil {
			return err
		}
		job, ok := v.(client.CampaignJob)
		if !ok {
			return fmt.Errorf("polled job is a %T, want a CampaignJob", v)
		}
		switch job.Status {
		case client.CampaignJobStatusQueued, client.CampaignJobStatusRunning:
			continue
		case client.CampaignJobStatusSucceeded:
		default:
			return fmt.Errorf("job %s ended %s", id, job.Status)
		}
		if job.Result == nil {
			return fmt.Errorf("succeeded job %s has no result", id)
		}
		q, err := job.Result.AsCampaignQuestResult()
		if err != nil {
			return err
		}
		if q.Type != "quest" || q.Content.Title == "" || len(q.Content.Steps) == 0 {
			return fmt.Errorf("quest result %+v, want a titled quest with steps", q)
		}
		return nil
	}
}

// cancelQueued cancels a job no worker runs, and polls it canceled.
func cancelQueued(ctx context.Context, held *client.ClientWithResponses) error {
	now := client.SubmitWait(0)
	r, err := held.TextThemeWithResponse(ctx, &client.TextThemeParams{Wait: &now}, client.ThemeRequest{
		Content: "Thorin strode into Millbrook with three torches.", Theme: client.Theme{Genre: ptr("noir")},
	})
	if err != nil {
		return err
	}
	if r.JSON202 == nil || r.JSON202.Kind != client.ThemeJobKindTextTheme {
		return fmt.Errorf("answer %d, want 202 with a ThemeJob: %s", r.StatusCode(), r.Body)
	}
	id := r.JSON202.Id
	x, err := held.QueueCancelWithResponse(ctx, id, &client.QueueCancelParams{})
	if err != nil {
		return err
	}
	if x.JSON200 == nil {
		return fmt.Errorf("cancel answered %d, want 200 with the canceled job: %s", x.StatusCode(), x.Body)
	}
	v, err := x.JSON200.ValueByDiscriminator()
	if err != nil {
		return err
	}
	job, ok := v.(client.ThemeJob)
	if !ok || job.Status != client.ThemeJobStatusCanceled {
		return fmt.Errorf("cancel answered %#v, want a canceled ThemeJob", v)
	}
	if v, err = poll(ctx, held, id, 0); err != nil {
		return err
	}
	got, ok := v.(client.ThemeJob)
	if !ok || got.Status != client.ThemeJobStatusCanceled || got.Error == nil || got.Error.Code != client.JobErrorCodeJOBCANCELED {
		return fmt.Errorf("polled job %s is %#v, want a canceled ThemeJob with JOB_CANCELED", id, v)
	}
	return nil
}

// poll asks for job id, waiting up to wait seconds for it to finish, and
// returns the job's variant its kind picks.
func poll(ctx context.Context, c *client.ClientWithResponses, id string, wait client.PollWait) (any, error) {
	p, err := c.QueueGetWithResponse(ctx, id, &client.QueueGetParams{Wait: &wait})
	if err != nil {
		return nil, err
	}
	if p.JSON200 == nil {
		return nil, fmt.Errorf("poll answered %d, want 200 with a job: %s", p.StatusCode(), p.Body)
	}
	return p.JSON200.ValueByDiscriminator()
}

func ptr[T any](v T) *T { return &v }
