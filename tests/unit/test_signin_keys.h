/*
 * test_signin_keys.h: the keys of the sign-in tests, as PEM text.
 *
 * KEY_RFC7515_RSA is RFC 7515 Appendix A.2's RSA key and KEY_RFC7515_EC
 * Appendix A.3's P-256 key (their JWK components written as PKCS#8 PEM), so
 * the RFC's signatures can be reproduced and verified. KEY_EC_P384 and
 * KEY_RSA_1024 are keys of the wrong kind, generated once for these tests.
 */
#ifndef TEST_SIGNIN_KEYS_H
#define TEST_SIGNIN_KEYS_H

#define KEY_RFC7515_RSA                                                                            \
	"-----BEGIN PRIVATE KEY-----\n"                                                            \
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCh+BYK4uPJtGXO\n"                       \
	"jS1lYmM2K5J9vinh8CR3/BYlzJChNuOL2TSXxbbqY913EeZ8dCn5VrD7io8ImtxL\n"                       \
	"aYk8wTM/U+3QGbh3hCUv7JFP5IV3aVlL6kKA0ywPVb9ilE8TA5a8bpvfbr3SvaNn\n"                       \
	"juygxmj3AbONv/s4yDQs4v5tJ/reSlpIdJed1LnPmt7Ex1sFhSwsD174pcF1A5L5\n"                       \
	"ROjtZMEQxrZHYJqkeDrrnGya11UxMFBji4NmXG9veoKjlnAqH2QbgtPr8jkiGUkf\n"                       \
	"toaHLFcW9Qr4NY2ai50Xw0Byj3+H2JoY2PyrZ62EWQwuz3WTOTY8BwNNb2BvniHg\n"                       \
	"VFbK5emhAgMBAAECggEAEq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyW\n"                       \
	"PEAeP88vLNO97IjlA7/GQ5sLKMgvfTeXZx9SE+7YwVol2NXOoAJe46sui395IW/G\n"                       \
	"O+pWJ1O0BkTGoVEn2bKVRUCgu+GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzj\n"                       \
	"kn439X0M/V51gfpRLI9JYanrC4D4qAdGcopV/0ZHHzQlBjudU2QvXt4ehNYTCBr6\n"                       \
	"XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl/x/jTj3ccPDVZFD9pIuhLhBOneufuBiB\n"                       \
	"4cS98l2SR/RQyGWSeWjnczT0QU91p1DhOVRuOopznQKBgQDgHMQQ60imZV1URk0K\n"                       \
	"pLttoLhyt3SmqdEf/kgHePDdtzEafpAu+cS191R2JiuoF2yzWXnwFDcqGigp5BNr\n"                       \
	"0AHQfD8/Lk8l1Mk09jxxCfui5nYooNyac8YFjm3vItzVCVDnEd3BbVWG8qf6deqE\n"                       \
	"lMGAg+C2V0L4oNXnP7LZcPAZRwKBgQC5A8R+CZW2MvRTLLHzwZkUXV866cff7tx6\n"                       \
	"kqa0finGG0KgeqlaZPxgCZnFp7AeAcCMtiynVlJ7vMVgePsLq6XtON4tB5kP9jAP\n"                       \
	"rq3rbAOal78eUH5OcED6eNuCV8ixEu1eWcPNCS/l1OW1EnXUEoEHKl54Xrrz2uNw\n"                       \
	"kgMTP1FZ1wKBgAcCn1dwJKufzBWQxWQp1vsM5fggqPN1qGb5y0MAk3g7/Ls5bkUp\n"                       \
	"5u9SN0Ai3Ya6hNnvWJMb7sXQX6U/zyO2M/hTip7tUeh7CXgwo59dkpN75gJLVds2\n"                       \
	"9+DAncu3KXU4f2Fa+7bLNrur53k8KwPOq2bbuTG69QtV7Jr5MR0AHWKNAoGBAIf/\n"                       \
	"evpitUf+4JYbLpvNXWcY052Mpz22aR84mY3nh3F2LF2mjMJDpTg7FmuyPcVw6EcG\n"                       \
	"yoAe9fa65iNqCq+jdw6PVNGo2hxfjSiZ8IIzHdsPXI89//pMjZcQK9r+CCoRjaZj\n"                       \
	"OYiIDktVWZzmevJuv6WywUqd57LE3Zar3dLSIkx1AoGAIYd7DHOhrWvxkwPQsRM2\n"                       \
	"tOgrjbcrfvtQJipd+DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd/QJQ3\n"                       \
	"ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp/gh6A56\n"                       \
	"03k2+ZQwVK0JKSHuLFkuQ3U=\n"                                                               \
	"-----END PRIVATE KEY-----\n"

#define KEY_RFC7515_RSA_PUBLIC                                                                     \
	"-----BEGIN PUBLIC KEY-----\n"                                                             \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\n"                       \
	"NiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz\n"                       \
	"P1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo\n"                       \
	"9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB\n"                       \
	"EMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX\n"                       \
	"FvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp\n"                       \
	"oQIDAQAB\n"                                                                               \
	"-----END PUBLIC KEY-----\n"

#define KEY_RFC7515_EC                                                                             \
	"-----BEGIN PRIVATE KEY-----\n"                                                            \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjpsQnnGQmL+YBIff\n"                       \
	"H1136cspYG6+0iY7X1fCE9+E9LKhRANCAAR/zc4ncPbEXUGDy+5v20t7WAczNXvp\n"                       \
	"7xO6z248e9FURcfxRM0bvZt+hyzf7bnuufSzaV1uqQskrYpGIyiFiOWt\n"                               \
	"-----END PRIVATE KEY-----\n"

#define KEY_RFC7515_EC_PUBLIC                                                                      \
	"-----BEGIN PUBLIC KEY-----\n"                                                             \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"                       \
	"6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"                           \
	"-----END PUBLIC KEY-----\n"

#define KEY_EC_P384                                                                                \
	"-----BEGIN PRIVATE KEY-----\n"                                                            \
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAOvyiiLWLpFqJBCsSD\n"                       \
	"O1zZRf33gAqP1vzTFNJUn9OXrM6Jcmr8haT7huUqB+rFdOOhZANiAAQbu/EwmW3i\n"                       \
	"GBT22kr2pA097r+ydi/xHILFmu27VoFd87QKP2QICURbWcukcfue7Q+0ThtDhsK8\n"                       \
	"qmFl80KqsySxdxUFZZSaafS901ltiLX6jB/Tq3ud0fH2BSv+0yBrZWE=\n"                               \
	"-----END PRIVATE KEY-----\n"

#define KEY_RSA_1024                                                                               \
	"-----BEGIN PRIVATE KEY-----\n"                                                            \
	"MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAK+bKtoZGJZ3Gqjo\n"                       \
	"eTyvmlO6jgTP9TZp12GtiQ7NOxyr3Z8O2ZVuWMWsOaNMRZknAQJ8df1zujm+xk91\n"                       \
	"VCfPA95OKh98V6lIryaDgHJfNsGZ0vvGtEMhmLGY6nWCUJOjx0rg1vnedWWnjX0p\n"                       \
	"Rg5GGe8aOsvJyE4j5qSctOWBmcDHAgMBAAECgYEAkLr0YHiamThk0p13fprEOQni\n"                       \
	"jvjOgyBMkYazFW30sDa+G5/jmJMvuwutHXd5TTamUGQ/4rqE257uVwK+b2jhJ/LP\n"                       \
	"KRbjOZ+aALt/6Y5hr2TaWiVT/JvWY/xTTy//UiV0NTQoOf4RXujlXemFLDegqrms\n"                       \
	"CJuXsdWfAXvWS0vjvuECQQDmhldfwU0bAoR75IMbacb4LaVM+DEWnaxiimoUu2yd\n"                       \
	"fdLl5uiSNFKWV6wY3AtUfx/mlt6R3SSeikf+qVr0l85/AkEAwwMmj3i8VtWDriSd\n"                       \
	"/YRv50LRS/gjrLnTEKIPEj/0THL0itduTf3rohrzA4bnoYMjemXMvrzBb12PdXdo\n"                       \
	"OfT5uQJBANCDLV8IioTm1wz1Wf2exQFQ0Fb5m/U382hCiMdt7EXcPLoFDdLJDva8\n"                       \
	"IIdv6bOpNSKuzm0jmW7p50saxpG9CmMCQQCXiSU3q4w+tZ+jfJTAYV9Lh2J39BRU\n"                       \
	"rflTHXs0pTnDBjj8grcWJ9AooWRhQz1PBkZVYDGfrbFqRnupveXh03kRAkBnoHVJ\n"                       \
	"glGeTYY8+W1AJ26GmNBOuJRzWTjGE80ziztMXM/XSsJMEXoD5jH1aQlJiPFT4/Ef\n"                       \
	"oRj5Gd3CjlKEAXLz\n"                                                                       \
	"-----END PRIVATE KEY-----\n"

#endif
