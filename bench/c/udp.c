/* D: UDP ping-pong with sendto/recvfrom.
 *   udp server <port> <size>                 loop: recvfrom, sendto back to the sender
 *   udp client <port> <size> <warmup_s> <secs> [timeout_s]     (timeout mode: see set_timeout)
 * Prints {"ops","secs","rate"} (round trips per second). */
#include "common.h"

int main(int argc, char **argv) {
  const char *u = "udp server <port> <size> | client <port> <size> <warmup_s> <secs> [timeout_s]";
  if (argc < 4) usage(u);
  int port = atoi(argv[2]);
  size_t size = (size_t)atol(argv[3]);
  char *buf = calloc(1, size + 1);
  struct sockaddr_in peer;
  socklen_t plen;
  if (!strcmp(argv[1], "server")) {
    int fd = serve(SOCK_DGRAM, port);
    for (;;) {
      plen = sizeof peer;
      ssize_t r = recvfrom(fd, buf, size + 1, 0, (struct sockaddr *)&peer, &plen);
      if (r < 0) {
        if (errno == EINTR) continue;
        die("recvfrom");
      }
      if (sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&peer, plen) < 0) die("sendto");
    }
  }
  if (strcmp(argv[1], "client") || argc < 6) usage(u);
  double warmup = atof(argv[4]), secs = atof(argv[5]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in to = loopback(port);
  if (argc > 6) set_timeout(fd, atof(argv[6]));
  memset(buf, 'x', size);
#define ROUND()                                                                                \
  do {                                                                                         \
    while (sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof to) < 0) {                  \
      if (errno == EAGAIN && timeout_ms >= 0)                                                  \
        wait_for(fd, POLLOUT);                                                                 \
      else if (errno != EINTR)                                                                 \
        die("sendto");                                                                         \
    }                                                                                          \
    plen = sizeof peer;                                                                        \
    if (timeout_ms >= 0) wait_for(fd, POLLIN);                                                 \
    if (recvfrom(fd, buf, size, 0, (struct sockaddr *)&peer, &plen) < 0) die("recvfrom");      \
  } while (0)
  double end = now_s() + warmup;
  while (now_s() < end) ROUND();
  long ops = 0;
  double t0 = now_s(), t1;
  end = t0 + secs;
  do {
    ROUND();
    ops++;
  } while ((t1 = now_s()) < end);
  print_rate(ops, t1 - t0);
  return 0;
}
