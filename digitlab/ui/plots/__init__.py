"""pyqtgraph styling and helpers shared by the plot views.

Every plot of the lab is a display, not an editor: none has pyqtgraph's right-click menu
(`style.quiet_plot` switches it off). pyqtgraph builds each ViewBox's menu, a dozen Qt widgets,
as the box is made, unless told not to: made with `enableMenu=False` by default here, the
window's 34 view boxes cost 0.1 s less to build (a sixth of building every view).
"""

from __future__ import annotations

import pyqtgraph as pg


def _without_menus_by_default() -> None:
    for cls in (pg.ViewBox, pg.PlotItem):
        init = cls.__init__
        names = init.__code__.co_varnames[1 : init.__code__.co_argcount]
        defaults = list(init.__defaults__ or ())
        index = names.index("enableMenu") - (len(names) - len(defaults))
        defaults[index] = False
        init.__defaults__ = tuple(defaults)


_without_menus_by_default()
