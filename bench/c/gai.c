/* G: getaddrinfo("127.0.0.1", "80", {AF_UNSPEC, SOCK_STREAM}) + freeaddrinfo in a loop, as Python's
 * socket.getaddrinfo("127.0.0.1", 80, 0, SOCK_STREAM) calls it.
 *   gai <calls> <warmup_calls>               prints {"ops","secs","rate","rss_kb_before","rss_kb_after"} */
#include "common.h"
#include <netdb.h>

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
  if (f) fclose(f);
  return kb;
}

static void one(void) {
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int r = getaddrinfo("127.0.0.1", "80", &hints, &res);
  if (r != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(r));
    exit(2);
  }
  freeaddrinfo(res);
}

int main(int argc, char **argv) {
  if (argc < 3) usage("gai <calls> <warmup_calls>");
  long calls = atol(argv[1]), warm = atol(argv[2]);
  for (long i = 0; i < warm; i++) one();
  long before = rss_kb();
  double t0 = now_s();
  for (long i = 0; i < calls; i++) one();
  double t1 = now_s();
  printf("{\"ops\":%ld,\"secs\":%.6f,\"rate\":%.3f,\"rss_kb_before\":%ld,\"rss_kb_after\":%ld}\n", calls,
         t1 - t0, (double)calls / (t1 - t0), before, rss_kb());
  return 0;
}
