// The first screen's four questions, asked the moment the window opens, while the app's own code
// (a few hundred KB) is still being fetched and parsed: Rust answers them in the meantime, and
// `src/lib/boot.ts` takes these answers instead of asking again (measured for issue 8: the
// answers used to arrive some 40 ms after the code had run).
//
// A plain script with no imports, so it runs before anything else; outside the Tauri window (the
// browser tests' mock, `npm run dev`) it does nothing and boot.ts asks itself. The dashboard is
// asked for the system zone's day and week, computed here with `Date` (which works in the system
// zone); boot.ts compares that range with its own and asks again when they differ.
(function () {
  'use strict';
  var tauri = window.__TAURI_INTERNALS__;
  if (!tauri || typeof tauri.invoke !== 'function') return;
  // The first of the start's User Timing marks (`make bench` reads them; see src/main.tsx).
  performance.mark('slotline:early');

  /** The locale's first day of the week (0 = Sunday), Monday when unknown: as lib/calendar.ts. */
  function firstDayOfWeek(locale) {
    try {
      var loc = new Intl.Locale(locale);
      var info = typeof loc.getWeekInfo === 'function' ? loc.getWeekInfo() : loc.weekInfo;
      if (info && typeof info.firstDay === 'number') return info.firstDay % 7;
    } catch (e) {
      // An odd locale string: fall through.
    }
    return 1;
  }

  /** UTC RFC 3339 with whole seconds, as lib/time.ts `toUtcIso`. */
  function iso(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  var now = new Date();
  var locale = Intl.DateTimeFormat().resolvedOptions().locale || 'en';
  var y = now.getFullYear();
  var m = now.getMonth();
  var d = now.getDate();
  var back = (now.getDay() - firstDayOfWeek(locale) + 7) % 7;
  var bounds = {
    dayStart: iso(new Date(y, m, d)),
    dayEnd: iso(new Date(y, m, d + 1)),
    weekStart: iso(new Date(y, m, d - back)),
    weekEnd: iso(new Date(y, m, d - back + 7)),
  };

  function ask(command, args) {
    var answer = tauri.invoke(command, args || {});
    // Nobody may take an answer (a store that did not open): its refusal is not an unhandled one.
    answer.catch(function () {});
    return answer;
  }

  window.__SLOTLINE_EARLY__ = {
    storeProblem: ask('get_store_problem'),
    preferences: ask('get_preferences'),
    status: ask('get_status'),
    dashboard: { bounds: bounds, answer: ask('dashboard', bounds) },
  };
})();
