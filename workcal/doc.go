// Package workcal is danvan's Vietnamese working-day calendar (ngày làm
// việc): the Vietnamese lunar calendar, the statutory public holidays, and
// deadline arithmetic in working days, calendar days and working hours,
// all in Vietnam time (Asia/Ho_Chi_Minh, UTC+7).
//
// # Lunar calendar
//
// [ToLunar] and [FromLunar] convert between solar dates and the Vietnamese
// lunisolar calendar, computed for UTC+7 from Meeus' formulas for the new
// moon and the Sun's longitude (see lunar.go). The range is at least
// 1900-01-01 to 2100-12-31. For years before 1968 the result is the modern
// UTC+7 calendar extrapolated backwards; northern Vietnam is reported to
// have used the UTC+8 (Chinese) calendar before 1968, so historical dates
// before then may differ.
//
// # Holidays
//
// [Holidays] lists the statutory days off of Labour Code 2019 Art. 112.1:
// 1 January, 5 days of Tết, Giỗ Tổ Hùng Vương (10/3 lunar), 30 April,
// 1 May, 2 September and one adjacent day, plus a compensatory day (nghỉ
// bù) on the next working day for each holiday that falls on a weekly rest
// day (Art. 111.3; the compensation rule is in Art. 111, not 112). These
// article numbers are unconfirmed (memory and press reports of the yearly
// announcements; the law text was not re-read). [Rules] make the
// government's yearly choices (the Tết span, the day next to 2 September)
// configurable.
//
// The source of truth for a year is the administrators' calendar_days
// table: the computed holidays only pre-fill it. Its rows become
// [Override]s of a [Calendar], which take precedence over weekends and
// holidays.
//
// # Deadline semantics
//
// A deadline is an instant: the last nanosecond (23:59:59.999999999,
// Vietnam time) of its last day, as returned by [Date.End]. It is met by
// anything done at or before that instant, and missed when now.After(deadline).
//
// [Calendar.AddWorkdays](t, n) is the deadline for "n working days from
// the event at t": the day of the event never counts (Civil Code 2015 Art.
// 147, unconfirmed: a period counted in days starts on the day after the
// event), and the deadline is the end of the n-th working day after it. An
// event on a non-working day therefore has the first following working day
// as day 1.
// Examples with no holidays: received Monday 10:00, 1 WD → end of Tuesday;
// received Friday 16:00 or Saturday, 1 WD → end of Monday; received
// Monday, 5 WD → end of the next Monday.
//
// [Calendar.WorkdaysBetween](a, b) counts the working days that lie
// entirely after the day of a and end no later than b, so that
// WorkdaysBetween(t, AddWorkdays(t, n)) == n. A partly elapsed day is not
// counted: at 15:00 on the due day, one working day remains.
//
// [Calendar.AddCalendarDays](t, n) is the deadline for n calendar days
// (ngày): the end of the n-th day after the day of t, moved to the end of
// the next working day if it is a day off (Civil Code 2015 Art. 148,
// unconfirmed).
//
// [Calendar.AddWorkingHours](t, h, hours) counts office time only, on
// working days, starting at t (or at the next session if t is outside
// office hours), and returns the exact instant the h-th hour completes.
//
// # Pauses
//
// When a rule allows the clock to stop (chờ bổ sung), record the pause and
// resume instants and extend the deadline by the time waited in between,
// in the rule's unit. For rules in working hours, extend with
// cal.AddWorkingTime(deadline, cal.WorkingTimeBetween(pausedAt, resumedAt, hours), hours).
// For rules in working days, Extend by the office time waited in days:
//
//	waited := cal.WorkingTimeBetween(pausedAt, resumedAt, hours)
//	deadline = cal.Extend(deadline, int((waited+hours.Daily()/2)/hours.Daily()))
//
// rounds to the nearest day (danvan's choice): a pause from Monday 10:00
// to Wednesday 15:00 (18 office hours, 2.4 days) gives back two. Extending
// by WorkdaysBetween(pausedAt, resumedAt) gives back only the working days
// that elapsed entirely (Tuesday), none of the partial Monday and
// Wednesday. For rules in calendar days, use AddCalendarDays(deadline, n)
// with n the days waited. Several pauses add up; compute each one
// separately.
//
// # Performance
//
// A Calendar caches one year's data (prefix counts of working days) on
// first use, so AddWorkdays and WorkdaysBetween are a date conversion and a
// binary search, with no allocation.
package workcal
