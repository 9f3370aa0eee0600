// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for other killers' lines (systemd-oomd, earlyoom, kubelet, runtimes): any bytes
// must scan without crashing or hanging, and the result must not depend on how the bytes arrive.
#include "killerlines.h"

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
    return 0;
}
