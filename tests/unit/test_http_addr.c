/*
 * test_http_addr: which client addresses count as loopback (the test
 * clock's POST /_test/clock answers them only).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "replywatch/http.h"

static bool
v4(const char *ip)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};

	cr_assert_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1, "%s", ip);
	return rw_http_addr_loopback((const struct sockaddr *)&sin);
}

static bool
v6(const char *ip)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};

	cr_assert_eq(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1, "%s", ip);
	return rw_http_addr_loopback((const struct sockaddr *)&sin6);
}

Test(http_addr, loopback_addresses)
{
	cr_assert(v4("127.0.0.1"));
	cr_assert(v4("127.0.0.2"));
	cr_assert(v4("127.255.255.254"));
	cr_assert(v6("::1"));
	cr_assert(v6("::ffff:127.0.0.1"));
}

Test(http_addr, other_addresses)
{
	cr_assert_not(v4("10.0.0.1"));
	cr_assert_not(v4("128.0.0.1"));
	cr_assert_not(v4("0.0.0.0"));
	cr_assert_not(v4("192.168.1.127"));
	cr_assert_not(v6("::"));
	cr_assert_not(v6("::2"));
	cr_assert_not(v6("fe80::1"));
	cr_assert_not(v6("::ffff:10.0.0.1"));
	cr_assert_not(v6("::127.0.0.1")); /* IPv4-compatible (deprecated), not mapped */
	cr_assert_not(rw_http_addr_loopback(NULL));

	struct sockaddr other = {.sa_family = AF_UNIX};

	cr_assert_not(rw_http_addr_loopback(&other));
}
