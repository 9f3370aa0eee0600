// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for other killers' lines (systemd-oomd, earlyoom, kubelet, runtimes): any bytes
// must scan without crashing or hanging, the result must not depend on how the bytes arrive, and
// the scanner (which skips lines without an anchor) must find what recognising each line finds.
#include "killerlines.h"
#include "prefixparser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const char *text = reinterpret_cast<const char *>(data);
    const oomscope::KillerLineScan whole = oomscope::scanKillerLines(std::string_view(text, size), 2024);
    oomscope::KillerLineScanner chunked(2024);
    for (std::size_t i = 0; i < size; i += 7)
        chunked.feed(text + i, qsizetype(std::min<std::size_t>(7, size - i)));
    const oomscope::KillerLineScan again = chunked.finish();
    if (again.lines.size() != whole.lines.size() || again.linesRead != whole.linesRead)
        __builtin_trap(); // invariant: block boundaries change nothing
    std::size_t found = 0;
    std::string_view rest(text, size);
    while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, std::min<std::size_t>(nl, 64 * 1024));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        found += oomscope::recogniseKillerLine(oomscope::parseLinePrefix(line).message).has_value();
    }
    if (found != whole.lines.size())
        __builtin_trap(); // invariant: the anchors skip no line a killer's words are in
    return 0;
}
