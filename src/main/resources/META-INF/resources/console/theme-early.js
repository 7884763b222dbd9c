// Sets the chosen theme before the first paint, so a dark page never flashes light. A classic script
// loaded from a file (not inline): the Content-Security-Policy allows only the service's own scripts.
try { const t = localStorage.getItem('thinkloop.console.theme'); if (t) document.documentElement.dataset.theme = t; } catch (e) {}
