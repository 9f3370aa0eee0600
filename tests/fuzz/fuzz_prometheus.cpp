// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry: any bytes must parse as Prometheus text (and as a query_range answer) without
// crashing, hanging or tripping a sanitizer.
#include "cadvisorfeed.h"
#include "prometheustext.h"
#include "promrange.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    oomscope::PromParseOptions tight;
    tight.maxLineBytes = 300;
    tight.maxWarnings = 3;
    const oomscope::PromParseResult r = oomscope::parsePrometheusText(bytes, tight);
    if (r.warnings.size() > 4 || r.skippedLines > r.lines)
        __builtin_trap(); // invariants: warnings capped (+1 summary), no more skipped than read
    const oomscope::ScrapeBatch batch = oomscope::parseCadvisorScrape(bytes, 1717000000000);
    for (const oomscope::MetricSeries &s : batch.series) {
        if (s.samples.size() != 1 || s.cgroupPath.isEmpty())
            __builtin_trap(); // one sample per cgroup per scrape, always with its id
    }
    oomscope::parsePromQueryRange(bytes);
    return 0;
}
