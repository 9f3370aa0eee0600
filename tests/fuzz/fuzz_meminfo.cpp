// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for the Mem-Info / memcg-stats reader and everything that interprets its result:
// any bytes, read as report lines, must parse and analyse without crashing, hanging or tripping a
// sanitizer (huge counts, orders past MAX_ORDER, odd zone names, lowmem_reserve of any length).
#include "meminfoparser.h"
#include "memoryanatomy.h"
#include "oomreportparser.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    // The lines directly, after a Mem-Info header so the whole grammar is reachable.
    std::vector<oomscope::RawLine> lines {{1, QStringLiteral("Mem-Info:")}};
    qint64 n = 1;
    for (const QByteArray &line : bytes.split('\n'))
        lines.push_back({++n, QString::fromUtf8(line)});
    const oomscope::MemInfoSnapshot direct = oomscope::parseMemInfoLines(lines);
    oomscope::OomEvent synthetic;
    synthetic.rawLines = lines;
    synthetic.gfpMask = QString::fromUtf8(bytes.left(40));
    synthetic.order = size > 0 ? int(data[0]) - 64 : 0;
    oomscope::analyseMemory(synthetic, direct);
    // And as a log through the report parser, the way real input arrives.
    for (const oomscope::OomEvent &e : oomscope::OomReportParser().parse(bytes).events)
        oomscope::analyseMemory(e, oomscope::parseMemInfo(e));
    return 0;
}
