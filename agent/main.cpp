// SPDX-License-Identifier: GPL-3.0-or-later
// oomscope-agent: thin entry point; everything lives in the oomscope_agent library.
#include "agentoptions.h"
#include "agentserver.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace oomscope;

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    (void)::write(g_signalFds[0], &byte, 1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("oomscope-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OOMSCOPE_VERSION));

    const Result<AgentCommand> command = parseAgentArguments(QCoreApplication::arguments());
    if (!command) {
        std::fprintf(stderr, "oomscope-agent: %s\nTry oomscope-agent --help.\n",
                     qPrintable(command.error().message));
        return 2;
    }
    if (!command->output.isEmpty()) {
        std::fputs(command->output.toLocal8Bit().constData(), stdout);
        return 0;
    }
    AgentOptions options = command->options;
    if (const Result<void> valid = loadSecretsAndValidate(options); !valid) {
        std::fprintf(stderr, "oomscope-agent: %s\n", qPrintable(valid.error().message));
        return 2;
    }

    AgentServer server(options);
    if (const Result<void> started = server.start(); !started) {
        std::fprintf(stderr, "oomscope-agent: %s\n", qPrintable(started.error().message));
        return 1;
    }

    // SIGTERM/SIGINT end the event loop through a socketpair (a handler may only write()).
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) == 0) {
        auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] {
            char byte = 0;
            (void)::read(g_signalFds[1], &byte, 1);
            qInfo("signal received: shutting down");
            QCoreApplication::quit();
        });
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }

    if (options.stdio) {
        QObject::connect(&server, &AgentServer::stdioFinished, &app, &QCoreApplication::quit);
        server.serveStdio(STDIN_FILENO, STDOUT_FILENO);
    }
    const int rc = QCoreApplication::exec();
    server.stop();
    return rc;
}
