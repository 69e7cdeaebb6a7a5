package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// defaultProbeURL is the readiness endpoint of a relance listening on the default address.
const defaultProbeURL = "http://127.0.0.1:8080/readyz"

// probe asks a running relance whether it is ready, for container health checks in images
// that have no shell or curl: it succeeds when url answers 200 within 3 seconds.
func probe(ctx context.Context, url string, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: %s: %s: %s", url, resp.Status, body)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", url, resp.Status)
	return err
}
