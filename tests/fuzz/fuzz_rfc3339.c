/* fuzz_rfc3339.c — time_parse_rfc3339, the one parser for date-times
 * from outside (API input, provider replies). The first input byte picks
 * the flags. Properties: the fraction is 0 … 999999999 ns; what parses
 * is written back by time_format_utc and parses again to the same
 * instant (so nothing we accept becomes a date we would print wrong or
 * refuse); a string that parses also parses with more flags allowed.
 * SOURCES: src/core/time.c src/core/arena.c src/core/status.c
 * PKGS: icu-uc icu-i18n
 */
#include "fuzz.h"

#include "core/time.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags, all = TIME_RFC3339_MINUTES | TIME_RFC3339_SPACE;
	int64_t secs = 0, back = 0;
	int32_t nanos = -1;
	char buf[TIME_UTC_SIZE], *s;

	if (size == 0)
		return 0;
	flags = data[0] & all;
	s = fuzz_cstr(data + 1, size - 1);
	if (time_parse_rfc3339(s, flags, &secs, &nanos)) {
		FUZZ_CHECK(nanos >= 0 && nanos <= 999999999);
		FUZZ_CHECK(time_parse_rfc3339(s, all, &back, NULL) && back == secs);
		time_format_utc(secs, buf);
		FUZZ_CHECK(time_parse_rfc3339(buf, 0, &back, NULL));
		FUZZ_CHECK(back == secs);
	}
	free(s);
	return 0;
}
