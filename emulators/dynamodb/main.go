// Command dynamodb-emulator serves DynamoDB's JSON protocol (X-Amz-Target DynamoDB_20120810.*) on a loopback port for the
// tests, benchmarks and local harnesses: github.com/truora/minidyn's HTTP server, one minidyn per partition key
// (partitions.go). It prints "listening on http://HOST:PORT" once it accepts connections and stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	host := flag.String("host", "127.0.0.1", "loopback address to listen on")
	port := flag.Int("port", 0, "port to listen on (0: a free one, printed at start)")
	flag.Parse()
	if ip := net.ParseIP(*host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "dynamodb-emulator: -host must be a loopback address, not %q\n", *host)
		os.Exit(2)
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "dynamodb-emulator: %v\n", err)
		os.Exit(1)
	}
	server := &http.Server{Handler: newRouter(), ReadHeaderTimeout: 10 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = server.Shutdown(ctx)
	}()
	fmt.Printf("listening on http://%s\n", listener.Addr())
	if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "dynamodb-emulator: %v\n", err)
		os.Exit(1)
	}
}
