// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"
#include <QApplication>
int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    oomscope::MainWindow w;
    w.show();
    return app.exec();
}
