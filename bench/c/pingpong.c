/* A: TCP ping-pong.
 *   pingpong server <port> <size>            echo size-byte messages on one connection until EOF
 *   pingpong client <port> <size> <warmup_s> <secs> [timeout_s]   (timeout mode: see set_timeout)
 * The client sends one message, waits for the whole echo, repeats; prints {"ops","secs","rate"}. */
#include "common.h"

int main(int argc, char **argv) {
  const char *u = "pingpong server <port> <size> | client <port> <size> <warmup_s> <secs> [timeout_s]";
  if (argc < 4) usage(u);
  int port = atoi(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  char *buf = calloc(1, size);
  if (!strcmp(argv[1], "server")) {
    int l = serve(SOCK_STREAM, port);
    int c = accept(l, NULL, NULL);
    if (c < 0) die("accept");
    nodelay(c);
    long n = 0;
    while (recv_exact(c, buf, size)) {
      send_all(c, buf, size);
      n++;
    }
    printf("{\"msgs\":%ld}\n", n);
    return 0;
  }
  if (strcmp(argv[1], "client") || argc < 6) usage(u);
  double warmup = atof(argv[4]), secs = atof(argv[5]);
  int fd = dial(port);
  nodelay(fd);
  if (argc > 6) set_timeout(fd, atof(argv[6]));
  memset(buf, 'x', size);
  double t = now_s(), end = t + warmup;
  while (now_s() < end) {
    send_all(fd, buf, size);
    recv_exact(fd, buf, size);
  }
  long ops = 0;
  double t0 = now_s(), t1;
  end = t0 + secs;
  do {
    send_all(fd, buf, size);
    recv_exact(fd, buf, size);
    ops++;
  } while ((t1 = now_s()) < end);
  close(fd);
  print_rate(ops, t1 - t0);
  return 0;
}
