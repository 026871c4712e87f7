package workcal

import "math"

// Astronomical primitives for the lunar calendar, implemented from the
// formulas in Jean Meeus, "Astronomical Algorithms" (2nd ed., 1998):
// chapter 49 (phases of the Moon), chapter 25 (solar coordinates, the
// lower-accuracy method) and chapter 10 (dynamical time).
//
// Times are Julian Days (JD) as float64. JDE denotes Terrestrial
// (dynamical) Time, JD without the E denotes Universal Time.

const (
	jdJ2000        = 2451545.0 // 2000 January 1.5 TT
	daysPerCentury = 36525.0
	synodicMonth   = 29.530588861
)

func sinDeg(x float64) float64 { return math.Sin(x * math.Pi / 180) }

// normDeg reduces an angle in degrees to [0, 360).
func normDeg(x float64) float64 {
	x = math.Mod(x, 360)
	if x < 0 {
		x += 360
	}
	return x
}

// newMoonJDE returns the instant (JDE, TT) of the new moon with lunation
// number k, where k = 0 is the new moon of 2000 January 6 (Meeus ch. 49).
// The error is below one minute over the 20th and 21st centuries.
func newMoonJDE(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85
	t2, t3, t4 := t*t, t*t*t, t*t*t*t

	jde := 2451550.09766 + synodicMonth*kf +
		0.00015437*t2 - 0.000000150*t3 + 0.00000000073*t4

	e := 1 - 0.002516*t - 0.0000074*t2
	m := 2.5534 + 29.10535670*kf - 0.0000014*t2 - 0.00000011*t3                      // Sun's mean anomaly
	mp := 201.5643 + 385.81693528*kf + 0.0107582*t2 + 0.00001238*t3 - 0.000000058*t4 // Moon's mean anomaly
	f := 160.7108 + 390.67050284*kf - 0.0016118*t2 - 0.00000227*t3 + 0.000000011*t4  // Moon's argument of latitude
	om := 124.7746 - 1.56375588*kf + 0.0020672*t2 + 0.00000215*t3                    // longitude of the ascending node

	// Periodic terms for the new moon.
	c := -0.40720*sinDeg(mp) +
		0.17241*e*sinDeg(m) +
		0.01608*sinDeg(2*mp) +
		0.01039*sinDeg(2*f) +
		0.00739*e*sinDeg(mp-m) -
		0.00514*e*sinDeg(mp+m) +
		0.00208*e*e*sinDeg(2*m) -
		0.00111*sinDeg(mp-2*f) -
		0.00057*sinDeg(mp+2*f) +
		0.00056*e*sinDeg(2*mp+m) -
		0.00042*sinDeg(3*mp) +
		0.00042*e*sinDeg(m+2*f) +
		0.00038*e*sinDeg(m-2*f) -
		0.00024*e*sinDeg(2*mp-m) -
		0.00017*sinDeg(om) -
		0.00007*sinDeg(mp+2*m) +
		0.00004*sinDeg(2*mp-2*f) +
		0.00004*sinDeg(3*m) +
		0.00003*sinDeg(mp+m-2*f) +
		0.00003*sinDeg(2*mp+2*f) -
		0.00003*sinDeg(mp+m+2*f) +
		0.00003*sinDeg(mp-m+2*f) -
		0.00002*sinDeg(mp-m-2*f) -
		0.00002*sinDeg(3*mp+m) +
		0.00002*sinDeg(4*mp)

	// Additional corrections for all phases (planetary arguments).
	a := [14]float64{
		299.77 + 0.107408*kf - 0.009173*t2,
		251.88 + 0.016321*kf,
		251.83 + 26.651886*kf,
		349.42 + 36.412478*kf,
		84.66 + 18.206239*kf,
		141.74 + 53.303771*kf,
		207.14 + 2.453732*kf,
		154.84 + 7.306860*kf,
		34.52 + 27.261239*kf,
		207.19 + 0.121824*kf,
		291.34 + 1.844379*kf,
		161.72 + 24.198154*kf,
		239.56 + 25.513099*kf,
		331.55 + 3.592518*kf,
	}
	coef := [14]float64{
		0.000325, 0.000165, 0.000164, 0.000126, 0.000110, 0.000062, 0.000060,
		0.000056, 0.000047, 0.000042, 0.000040, 0.000037, 0.000035, 0.000023,
	}
	for i := range a {
		c += coef[i] * sinDeg(a[i])
	}
	return jde + c
}

// sunLongitude returns the apparent geocentric ecliptic longitude of the
// Sun in degrees, [0, 360), at the instant jde (TT), using the
// lower-accuracy method of Meeus ch. 25 (error about 0.01°, i.e. about a
// quarter of an hour of solar motion).
func sunLongitude(jde float64) float64 {
	t := (jde - jdJ2000) / daysPerCentury
	t2 := t * t
	l0 := 280.46646 + 36000.76983*t + 0.0003032*t2 // geometric mean longitude
	m := 357.52911 + 35999.05029*t - 0.0001537*t2  // mean anomaly
	c := (1.914602-0.004817*t-0.000014*t2)*sinDeg(m) +
		(0.019993-0.000101*t)*sinDeg(2*m) +
		0.000289*sinDeg(3*m) // equation of the centre
	om := 125.04 - 1934.136*t
	// Correction for nutation and aberration.
	return normDeg(l0 + c - 0.00569 - 0.00478*sinDeg(om))
}

// deltaT returns TT − UT in seconds for the decimal year y, using the
// polynomial fits published by Espenak and Meeus (2006) for the NASA
// eclipse canon. Outside 1800–2150 it falls back to the long-term
// parabola; the lunar calendar only relies on 1900–2100.
func deltaT(y float64) float64 {
	switch {
	case y < 1800 || y >= 2150:
		u := (y - 1820) / 100
		return -20 + 32*u*u
	case y < 1860:
		t := y - 1800
		return 13.72 - 0.332447*t + 0.0068612*t*t + 0.0041116*t*t*t -
			0.00037436*math.Pow(t, 4) + 0.0000121272*math.Pow(t, 5) -
			0.0000001699*math.Pow(t, 6) + 0.000000000875*math.Pow(t, 7)
	case y < 1900:
		t := y - 1860
		return 7.62 + 0.5737*t - 0.251754*t*t + 0.01680668*t*t*t -
			0.0004473624*math.Pow(t, 4) + math.Pow(t, 5)/233174
	case y < 1920:
		t := y - 1900
		return -2.79 + 1.494119*t - 0.0598939*t*t + 0.0061966*t*t*t - 0.000197*math.Pow(t, 4)
	case y < 1941:
		t := y - 1920
		return 21.20 + 0.84493*t - 0.076100*t*t + 0.0020936*t*t*t
	case y < 1961:
		t := y - 1950
		return 29.07 + 0.407*t - t*t/233 + t*t*t/2547
	case y < 1986:
		t := y - 1975
		return 45.45 + 1.067*t - t*t/260 - t*t*t/718
	case y < 2005:
		t := y - 2000
		return 63.86 + 0.3345*t - 0.060374*t*t + 0.0017275*t*t*t +
			0.000651814*math.Pow(t, 4) + 0.00002373599*math.Pow(t, 5)
	case y < 2050:
		t := y - 2000
		return 62.92 + 0.32217*t + 0.005589*t*t
	default: // 2050 ≤ y < 2150
		u := (y - 1820) / 100
		return -20 + 32*u*u - 0.5628*(2150-y)
	}
}

// jdYear converts a Julian Day to an approximate decimal year, which is
// all deltaT needs.
func jdYear(jd float64) float64 { return 2000 + (jd-jdJ2000)/365.25 }

// ttToUT converts a JDE (TT) to JD (UT).
func ttToUT(jde float64) float64 { return jde - deltaT(jdYear(jde))/86400 }

// utToTT converts a JD (UT) to JDE (TT).
func utToTT(jd float64) float64 { return jd + deltaT(jdYear(jd))/86400 }
