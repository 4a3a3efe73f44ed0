/* freeport [4|6]: prints a TCP port that is free on the loopback.
 *
 * Binds 127.0.0.1 (or ::1 with 6) to port 0, prints the port the kernel
 * chose and a newline on stdout, closes, exits 0 (1 on an error). Tests use
 * it to choose the port of a server that starts later. The port is only
 * free, not reserved: the kernel picks it at random from the ephemeral
 * range, so another bind(0) is unlikely to get it before the server starts,
 * which is all a test needs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int v6 = argc > 1 && !strcmp(argv[1], "6");

	if (argc > 2 || (argc == 2 && !v6 && strcmp(argv[1], "4"))) {
		fprintf(stderr, "usage: freeport [4|6]\n");
		return 2;
	}
	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		perror("freeport");
		return 1;
	}
	close(fd);
	printf("%d\n", ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				 : ((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}
