// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry: any bytes must parse without crashing, hanging or tripping a sanitizer.
#include "oomreportparser.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    // Default options, and tight ones so the long-line and warning-cap paths run on small inputs.
    oomscope::OomReportParser().parse(bytes);
    oomscope::ParseOptions tight;
    tight.maxLineBytes = 300;
    tight.maxWarnings = 3;
    tight.assumedYear = 2024;
    const oomscope::ParseResult r = oomscope::OomReportParser(tight).parse(bytes);
    if (r.bytesRead != qint64(size) || r.warnings.size() > 4)
        __builtin_trap(); // invariants: everything read, warnings capped (+1 summary)
    return 0;
}
