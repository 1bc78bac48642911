/* Small DOM helpers: build elements without innerHTML (no markup from data is ever parsed). */

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined) {
      continue;
    }
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/* "08:30" for a timestamp, in the route's own time zone (the crew's wall clock). */
export function timeOf(timestamp, timeZone) {
  if (!timestamp) {
    return "–";
  }
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: timeZone || undefined,
  }).format(new Date(timestamp));
}

const STATUS_LABELS = {
  OPEN: "open",
  SCHEDULED: "scheduled",
  IN_PROGRESS: "started",
  DONE: "done",
  BLOCKED: "missed",
  CANCELLED: "cancelled",
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || String(status).toLowerCase();
}

function isoDate(day) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/* Today's date (YYYY-MM-DD) on this device's calendar: the crew's day. */
export function today() {
  return isoDate(new Date());
}

/* The next working day (Monday to Friday) after today: the day a planner usually plans. */
export function nextWorkingDay() {
  const day = new Date();
  do {
    day.setDate(day.getDate() + 1);
  } while (day.getDay() === 0 || day.getDay() === 6);
  return isoDate(day);
}
