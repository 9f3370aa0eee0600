// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry for the journal inputs a user hands over: `journalctl -o json` lines and
// `journalctl -o export` streams (binary fields with a length of their own). Any bytes must be
// read to their end without crashing, hanging or allocating what a length field claims.
#include "journalinput.h"

#include <QBuffer>

#include <cstddef>
#include <cstdint>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    oomscope::detectLogContent(bytes);
    for (const QByteArray &line : bytes.split('\n'))
        if (const auto e = oomscope::parseJournalJsonLine(line))
            oomscope::journalEntryAsText(*e);
    for (const oomscope::LogContent content :
         {oomscope::LogContent::JournalJson, oomscope::LogContent::JournalExport}) {
        auto buffer = std::make_unique<QBuffer>();
        buffer->setData(bytes);
        buffer->open(QIODevice::ReadOnly);
        const std::unique_ptr<QIODevice> text = oomscope::journalStreamAsText(std::move(buffer), content);
        char chunk[4096];
        while (text->read(chunk, sizeof chunk) > 0) { }
    }
    // A small field limit so the over-long path runs on small inputs.
    QBuffer small;
    small.setData(bytes);
    small.open(QIODevice::ReadOnly);
    oomscope::JournalExportReader reader(small, 64);
    while (reader.next()) { }
    return 0;
}
