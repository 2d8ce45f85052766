/* B: one-way bulk transfer.
 *   bulk sink <port> <chunk>                 accept one connection, recv into a chunk-sized buffer until EOF,
 *                                            then send a 1-byte ack and close
 *   bulk send <port> <total> <chunk> [nodelay]
 *                                            connect (and set TCP_NODELAY if asked), send total bytes in
 *                                            chunk-sized send_all calls, shutdown(SHUT_WR), wait for the ack;
 *                                            prints {"bytes","secs","rate"}
 * The clock runs from connect() done to ack received, so it covers the receiver too. */
#include "common.h"

int main(int argc, char **argv) {
  const char *u = "bulk sink <port> <chunk> | send <port> <total> <chunk> [nodelay]";
  if (argc < 4) usage(u);
  int port = atoi(argv[2]);
  if (!strcmp(argv[1], "sink")) {
    size_t chunk = (size_t)atol(argv[3]);
    char *buf = malloc(chunk);
    int l = serve(SOCK_STREAM, port);
    int c = accept(l, NULL, NULL);
    if (c < 0) die("accept");
    long long total = 0;
    for (;;) {
      ssize_t r = recv(c, buf, chunk, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        die("recv");
      }
      if (r == 0) break;
      total += r;
    }
    send_all(c, "k", 1);
    close(c);
    printf("{\"bytes\":%lld}\n", total);
    return 0;
  }
  if (strcmp(argv[1], "send") || argc < 5) usage(u);
  long long total = atoll(argv[3]);
  size_t chunk = (size_t)atol(argv[4]);
  char *buf = malloc(chunk);
  memset(buf, 'x', chunk);
  int fd = dial(port);
  if (argc > 5 && !strcmp(argv[5], "nodelay")) nodelay(fd);
  double t0 = now_s();
  long long left = total;
  while (left > 0) {
    size_t n = left < (long long)chunk ? (size_t)left : chunk;
    send_all(fd, buf, n);
    left -= (long long)n;
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  char ack;
  if (!recv_exact(fd, &ack, 1)) die("ack");
  double t1 = now_s();
  close(fd);
  printf("{\"bytes\":%lld,\"secs\":%.6f,\"rate\":%.3f}\n", total, t1 - t0, (double)total / (t1 - t0));
  return 0;
}
