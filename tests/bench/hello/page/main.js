// Two animation frames after load the page has painted; then tell Rust.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('first_paint')),
);
