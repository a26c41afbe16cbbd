.PHONY: run test build lambda image events docs

# Start the service on embedded defaults (no Redis, no keys, no hub needed).
run:
	go run .

# Run every test against a real Redis (started when none answers).
test:
	./local/test.sh

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o dnd-llm-service .

# The Lambda binary as SAM builds it (linux/arm64).
lambda:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o bootstrap .

# The container image, in Docker format so that it keeps its HEALTHCHECK
# (Podman's default OCI format drops it). IMAGE and VERSION may be set.
IMAGE ?= dnd-llm-service
VERSION ?= dev
image:
	podman build --format docker --build-arg VERSION=$(VERSION) -t $(IMAGE) .

# Rewrite local/events from the groups' routes.
events:
	go run ./local/eventgen/cmd/eventgen

# Rewrite functions/docs/openapi.json from the code that describes the API.
docs:
	go generate ./functions/docs
