// SPDX-License-Identifier: GPL-3.0-or-later
// A bearer token kept in a file: the agent's own --token-file, the token a client sends to an
// agent, a kubelet's or Prometheus's service-account token. One line; read again each time it is
// needed, so a rotated token is used from the next request. Every reader of a token file goes
// through here, so the rules and the messages are the same everywhere.
#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>

namespace oomscope {

struct TokenFileRules {
    qint64 maxBytes = 64 * 1024; // a service-account token (a JWT) is a few KiB
    qsizetype minLength = 1;
    bool plain = false; // no quotes or backslashes (a token to be written into configs as given)
};

// The file's one line, trimmed. Io: the file cannot be read or is larger than maxBytes; Invalid:
// it holds no line, more than one, or one the rules refuse. Messages name the file.
Result<QByteArray> readTokenFile(const QString &path, const TokenFileRules &rules = {});

} // namespace oomscope
