// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenfile.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace oomscope {

Result<QByteArray> readTokenFile(const QString &path, const TokenFileRules &rules)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::Kind::Io, u"cannot read the token file %1: %2"_s.arg(path, f.errorString()));
    const QByteArray bytes = f.read(rules.maxBytes + 1);
    if (f.error() != QFileDevice::NoError)
        return fail(Error::Kind::Io, u"cannot read the token file %1: %2"_s.arg(path, f.errorString()));
    if (bytes.size() > rules.maxBytes)
        return fail(
            Error::Kind::Io,
            u"the token file %1 is larger than %2 KiB: not a token"_s.arg(path).arg(rules.maxBytes / 1024));
    const QByteArray token = bytes.trimmed();
    const bool oneLine = !token.contains('\n') && !token.contains('\r');
    const bool plain = !rules.plain || (!token.contains('"') && !token.contains('\\'));
    if (token.size() < rules.minLength || !oneLine || !plain) {
        QString what = rules.minLength > 1 ? u"one line of at least %1 characters"_s.arg(rules.minLength)
                                           : u"one non-empty line"_s;
        if (rules.plain)
            what += u", without quotes or backslashes"_s;
        return fail(Error::Kind::Invalid, u"the token file %1 must hold %2"_s.arg(path, what));
    }
    return token;
}

} // namespace oomscope
