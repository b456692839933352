/* Reporting intervals for aggregate reports: ri= turned into a whole number of hours dividing
 * the UTC day (RFC 7489 §6.3: daily is required, shorter is best effort; §7.2: hour
 * boundaries). */
#include "mxguard/report_out.h"

int64_t mxg_report_interval_len(int64_t ri)
{
	static const int hours[] = { 12, 8, 6, 4, 3, 2, 1 };
	if (ri <= 0 || ri >= MXG_REPORT_DAY)
		return MXG_REPORT_DAY;
	for (size_t i = 0; i < sizeof(hours) / sizeof(hours[0]); i++) {
		if ((int64_t)hours[i] * MXG_REPORT_HOUR <= ri)
			return (int64_t)hours[i] * MXG_REPORT_HOUR;
	}
	return MXG_REPORT_HOUR;
}

int64_t mxg_report_interval_end(int64_t begin, int64_t len)
{
	if (len <= 0)
		len = MXG_REPORT_DAY;
	int64_t floor = begin >= 0 ? begin / len * len : -((-begin + len - 1) / len) * len;
	return floor + len;
}
