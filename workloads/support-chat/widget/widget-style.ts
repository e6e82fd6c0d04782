/** The widget's style sheet, adopted by its shadow root (nothing leaks into or out of the host page). */
export const WIDGET_CSS = `
:host { all: initial; display: block; }
.widget { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #1b1f24;
  background: #ffffff; border: 1px solid #8a939e; border-radius: 10px; display: flex; flex-direction: column; gap: 8px;
  padding: 12px; max-width: 420px; min-height: 480px; box-sizing: border-box; }
header { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; align-items: center; }
h2 { margin: 0; font-size: 18px; }
.language { display: flex; gap: 6px; align-items: center; }
.who, .status { grid-column: 1 / -1; margin: 0; font-size: 13px; color: #3d4550; }
.who[data-who="agent"] { color: #0b5d1e; font-weight: 600; }
.who[data-who="escalated"] { color: #7a4100; font-weight: 600; }
.status[data-state="reconnecting"], .status[data-state="signed-out"] { color: #a4000f; }
.log { flex: 1; overflow-y: auto; min-height: 240px; max-height: 420px; display: flex; flex-direction: column; gap: 8px;
  padding: 4px; border: 1px solid #d0d5db; border-radius: 6px; }
.message { border-radius: 8px; padding: 6px 10px; max-width: 88%; overflow-wrap: anywhere; }
.message.customer { align-self: flex-end; background: #1a4fd6; color: #ffffff; }
.message.assistant { align-self: flex-start; background: #eef1f5; }
.message.agent { align-self: flex-start; background: #e4f4e8; border-left: 4px solid #0b5d1e; }
.sender { margin: 0 0 2px; font-size: 12px; font-weight: 600; }
.body p { margin: 0 0 6px; } .body p:last-child { margin-bottom: 0; }
.body pre { overflow-x: auto; background: #ffffff; padding: 6px; }
.message a { color: #0b3fb3; }
.citations { margin-top: 6px; border-top: 1px solid #c3cad3; padding-top: 4px; font-size: 13px; }
.citations .sources { margin: 0; font-weight: 600; }
.citations ul { margin: 2px 0 0; padding-left: 18px; }
.error { margin: 4px 0 0; color: #a4000f; font-weight: 600; }
.notice { align-self: center; margin: 0; font-size: 13px; color: #3d4550; text-align: center; }
.composer { display: grid; grid-template-columns: 1fr auto; gap: 4px 8px; }
.composer label { grid-column: 1 / -1; font-size: 13px; font-weight: 600; }
textarea, select, input, button { font: inherit; color: inherit; }
textarea { resize: vertical; border: 1px solid #6b7480; border-radius: 6px; padding: 6px; }
select { border: 1px solid #6b7480; border-radius: 6px; padding: 2px 4px; background: #ffffff; }
button { border: 0; border-radius: 6px; padding: 6px 14px; background: #1a4fd6; color: #ffffff; cursor: pointer; }
button.secondary { background: #ffffff; color: #1a4fd6; border: 1px solid #1a4fd6; align-self: flex-start; }
button:disabled { background: #6b7480; cursor: default; }
:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.rating fieldset { border: 1px solid #c3cad3; border-radius: 6px; margin: 0 0 6px; }
.rating legend { font-weight: 600; }
.scores { display: flex; flex-wrap: wrap; gap: 4px 12px; }
.rating label { margin-right: 4px; }
.rating textarea { display: block; width: 100%; box-sizing: border-box; margin: 2px 0 6px; }
.rating-status { margin: 0; font-size: 13px; }
.rating-status[data-state="error"] { color: #a4000f; }
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
