package admin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/relance/relance/admin"
	"github.com/relance/relance/metrics"
)

func ExampleServer() {
	srv := admin.New("127.0.0.1:0", metrics.New(), map[string]admin.Check{
		"kafka": func(context.Context) error { return nil },
		"redis": func(context.Context) error { return errors.New("dial tcp 127.0.0.1:6379: connection refused") },
	})
	if err := srv.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + srv.Addr() + "/readyz")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d\n%s", resp.StatusCode, body)
	// Output:
	// 503
	// redis: dial tcp 127.0.0.1:6379: connection refused
}
