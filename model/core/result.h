// SPDX-License-Identifier: GPL-3.0-or-later
// The one convention for results and errors: a function that can fail returns Result<T> (a value
// or an Error), never a value plus an optional `QString *error` a caller can drop. tl::expected
// (Debian's libexpected-dev) is std::expected of C++23 for C++20.
#pragma once

#include <QString>

#include <tl/expected.hpp>

namespace oomscope {

struct Error {
    // What kind of failure, for callers that react differently (exit codes, retries, UI);
    // the message is for people and names the cause.
    enum class Kind {
        Invalid, // the input is not what it should be (syntax, range, format)
        NotFound, // a file, cgroup, event or series that does not exist
        Io, // reading or writing failed (permissions, device)
        DiskFull, // no space left
        ReadOnly, // the target cannot be written
        Busy, // locked by another writer, try again
        TooNew, // written by a newer oomscope
        Canceled, // stopped by the user
        Network, // a connection failed or timed out
        Protocol, // the peer sent something it should not
        Internal, // a bug or an unexpected library error
    };
    Kind kind = Kind::Internal;
    QString message;
};

template<typename T> using Result = tl::expected<T, Error>;

// `return fail(Error::Kind::Invalid, u"…"_s);` from a function returning Result<T>.
inline tl::unexpected<Error> fail(Error::Kind kind, QString message)
{
    return tl::unexpected<Error>(Error {kind, std::move(message)});
}

} // namespace oomscope
