// SPDX-License-Identifier: GPL-3.0-or-later
// Opens a saved log for reading: a plain file, a gzip-compressed one (detected by magic, not by
// name), or standard input for "-". Journal content (journalctl -o json / -o export, a journal
// file, a copied journal directory) is recognised by content and read as syslog-style text.
#pragma once

#include "journalinput.h"

#include <QIODevice>
#include <QString>

#include <memory>

namespace oomscope {

struct OpenedLog {
    std::unique_ptr<QIODevice> device; // open for reading; null on error
    QString displayName; // file name, or "<stdin>"
    qint64 sizeBytes = -1; // bytes the parser will consume (gzip: uncompressed estimate), -1 if unknown
    QString error; // one line, for people
    LogContent content = LogContent::Text; // what the input was before it became text
};

OpenedLog openLog(const QString &path);

} // namespace oomscope
