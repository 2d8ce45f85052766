/* C: connection rate, one connection at a time.
 *   connrate server <port>                   loop: accept, close
 *   connrate client <port> <warmup_s> <secs> loop: socket, connect, recv until EOF (the server's close), close
 * Prints {"ops","secs","rate"} (connections per second). */
#include "common.h"

static void one(int port) {
  int fd = dial(port);
  char b[16];
  for (;;) {
    ssize_t r = recv(fd, b, sizeof b, 0);
    if (r == 0) break;
    if (r < 0 && errno != EINTR) die("recv");
  }
  close(fd);
}

int main(int argc, char **argv) {
  const char *u = "connrate server <port> | client <port> <warmup_s> <secs>";
  if (argc < 3) usage(u);
  int port = atoi(argv[2]);
  if (!strcmp(argv[1], "server")) {
    int l = serve(SOCK_STREAM, port);
    for (;;) {
      int c = accept(l, NULL, NULL);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        die("accept");
      }
      close(c);
    }
  }
  if (strcmp(argv[1], "client") || argc < 5) usage(u);
  double warmup = atof(argv[3]), secs = atof(argv[4]);
  double end = now_s() + warmup;
  while (now_s() < end) one(port);
  long ops = 0;
  double t0 = now_s(), t1;
  end = t0 + secs;
  do {
    one(port);
    ops++;
  } while ((t1 = now_s()) < end);
  print_rate(ops, t1 - t0);
  return 0;
}
