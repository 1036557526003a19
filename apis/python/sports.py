"""Sports: statistics and ratings for baseball, basketball, football, cricket, golf and chess."""

from __future__ import annotations

import math
from typing import Any

CATEGORY = "sports"


def _count(name: str, value: int, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
    if value < low:
        raise ValueError(f"{name} must be at least {low}")
    return value


def batting_average(
    hits: int, at_bats: int, walks: int = 0, hit_by_pitch: int = 0, sacrifice_flies: int = 0
) -> dict[str, float]:
    """Compute a baseball hitter's batting average and on-base percentage.

    Args:
        hits: Number of hits.
        at_bats: Number of official at-bats (at least hits, positive).
        walks: Bases on balls.
        hit_by_pitch: Times hit by a pitch.
        sacrifice_flies: Sacrifice flies.

    Returns:
        avg and obp, rounded to 3 decimals.
    """
    h, ab = _count("hits", hits), _count("at_bats", at_bats, 1)
    bb, hbp, sf = (
        _count("walks", walks),
        _count("hit_by_pitch", hit_by_pitch),
        _count("sacrifice_flies", sacrifice_flies),
    )
    if h > ab:
        raise ValueError("hits cannot exceed at_bats")
    return {"avg": round(h / ab, 3), "obp": round((h + bb + hbp) / (ab + bb + hbp + sf), 3)}


def earned_run_average(earned_runs: int, innings_pitched: float) -> float:
    """Compute a baseball pitcher's earned run average (earned runs per nine innings).

    Args:
        earned_runs: Earned runs allowed.
        innings_pitched: Innings pitched; thirds of an inning may be written .1 and .2 (e.g. 6.2 = 6
            2/3).

    Returns:
        The ERA, rounded to 2 decimals.
    """
    er = _count("earned_runs", earned_runs)
    if innings_pitched <= 0:
        raise ValueError("innings_pitched must be positive")
    whole = math.floor(innings_pitched)
    frac = round(innings_pitched - whole, 1)
    if frac not in (0.0, 0.1, 0.2):
        raise ValueError("innings_pitched fraction must be .0, .1 or .2 (thirds of an inning)")
    innings = whole + frac * 10 / 3
    return round(er * 9 / innings, 2)


def nfl_passer_rating(
    completions: int, attempts: int, yards: int, touchdowns: int, interceptions: int
) -> float:
    """Compute the NFL passer rating of a quarterback (0 to 158.3).

    Args:
        completions: Completed passes.
        attempts: Pass attempts (positive).
        yards: Passing yards.
        touchdowns: Touchdown passes.
        interceptions: Interceptions thrown.

    Returns:
        The passer rating, rounded to 1 decimal.
    """
    att = _count("attempts", attempts, 1)
    comp, td, ints = (
        _count("completions", completions),
        _count("touchdowns", touchdowns),
        _count("interceptions", interceptions),
    )
    if comp > att:
        raise ValueError("completions cannot exceed attempts")

    def clamp(x: float) -> float:
        return max(0.0, min(2.375, x))

    a = clamp((comp / att - 0.3) * 5)
    b = clamp((yards / att - 3) * 0.25)
    c = clamp(td / att * 20)
    d = clamp(2.375 - ints / att * 25)
    return round((a + b + c + d) / 6 * 100, 1)


def basketball_shooting_stats(
    field_goals_made: int,
    field_goals_attempted: int,
    three_pointers_made: int,
    free_throws_made: int,
    free_throws_attempted: int,
) -> dict[str, float]:
    """Compute a basketball player's points, field-goal, effective and true shooting percentages.

    Args:
        field_goals_made: Field goals made (including three-pointers).
        field_goals_attempted: Field goals attempted.
        three_pointers_made: Three-point field goals made.
        free_throws_made: Free throws made.
        free_throws_attempted: Free throws attempted.

    Returns:
        points, and fg_pct, efg_pct and ts_pct in percent rounded to 1 decimal.
    """
    fgm, fga = (
        _count("field_goals_made", field_goals_made),
        _count("field_goals_attempted", field_goals_attempted),
    )
    tpm = _count("three_pointers_made", three_pointers_made)
    ftm, fta = (
        _count("free_throws_made", free_throws_made),
        _count("free_throws_attempted", free_throws_attempted),
    )
    if fgm > fga or tpm > fgm or ftm > fta:
        raise ValueError("made shots cannot exceed attempts, nor three-pointers field goals")
    if fga + fta == 0:
        raise ValueError("at least one shot must have been attempted")
    points = 2 * fgm + tpm + ftm
    fg = fgm / fga * 100 if fga else 0.0
    efg = (fgm + 0.5 * tpm) / fga * 100 if fga else 0.0
    ts = points / (2 * (fga + 0.44 * fta)) * 100
    return {
        "points": points,
        "fg_pct": round(fg, 1),
        "efg_pct": round(efg, 1),
        "ts_pct": round(ts, 1),
    }


def league_table_points(
    wins: int,
    draws: int,
    losses: int,
    goals_for: int = 0,
    goals_against: int = 0,
    points_per_win: int = 3,
) -> dict[str, Any]:
    """Compute a team's league standing figures from its results (football/soccer style).

    Args:
        wins: Matches won.
        draws: Matches drawn (1 point each).
        losses: Matches lost.
        goals_for: Goals scored.
        goals_against: Goals conceded.
        points_per_win: Points for a win (3 in modern leagues, 2 historically).

    Returns:
        played, points, goal_difference, points_per_game and win_percentage.
    """
    w, d, loss = _count("wins", wins), _count("draws", draws), _count("losses", losses)
    gf, ga = _count("goals_for", goals_for), _count("goals_against", goals_against)
    ppw = _count("points_per_win", points_per_win, 1)
    played = w + d + loss
    if played == 0:
        raise ValueError("at least one match must have been played")
    points = w * ppw + d
    return {
        "played": played,
        "points": points,
        "goal_difference": gf - ga,
        "points_per_game": round(points / played, 2),
        "win_percentage": round(w / played * 100, 1),
    }


def elo_rating_update(
    rating_a: float, rating_b: float, score_a: float, k_factor: float = 32.0
) -> dict[str, float]:
    """Update two players' Elo ratings after a game (chess and other head-to-head sports).

    Args:
        rating_a: Player A's rating before the game.
        rating_b: Player B's rating before the game.
        score_a: A's result: 1 for a win, 0.5 for a draw, 0 for a loss.
        k_factor: Maximum rating change per game.

    Returns:
        expected_a (A's expected score), new_rating_a and new_rating_b, rounded to 2 decimals.
    """
    if score_a not in (0, 0.5, 1):
        raise ValueError("score_a must be 0, 0.5 or 1")
    if k_factor <= 0:
        raise ValueError("k_factor must be positive")
    expected = 1 / (1 + 10 ** ((rating_b - rating_a) / 400))
    delta = k_factor * (score_a - expected)
    return {
        "expected_a": round(expected, 4),
        "new_rating_a": round(rating_a + delta, 2),
        "new_rating_b": round(rating_b - delta, 2),
    }


def golf_handicap_differential(
    adjusted_gross_score: int, course_rating: float, slope_rating: int
) -> float:
    """Compute a golf score differential under the World Handicap System.

    Args:
        adjusted_gross_score: Adjusted gross score of the round.
        course_rating: Course rating (e.g. 72.1).
        slope_rating: Slope rating, 55 to 155 (113 is standard).

    Returns:
        (score - course rating) * 113 / slope, rounded to 1 decimal.
    """
    s = _count("adjusted_gross_score", adjusted_gross_score, 1)
    slope = _count("slope_rating", slope_rating, 55)
    if slope > 155:
        raise ValueError("slope_rating must be between 55 and 155")
    if not 50 <= course_rating <= 90:
        raise ValueError("course_rating must be between 50 and 90")
    return round((s - course_rating) * 113 / slope, 1)


def cricket_run_rate(
    runs: int, overs: float, target: int | None = None, overs_limit: int = 50
) -> dict[str, Any]:
    """Compute a cricket team's current run rate and, when chasing, the required run rate.

    Args:
        runs: Runs scored so far.
        overs: Overs bowled, balls written after the point (e.g. 32.4 = 32 overs and 4 balls).
        target: Runs needed to win when chasing; omit for the first innings.
        overs_limit: Overs in the innings (50 for ODI, 20 for T20).

    Returns:
        current_run_rate, and when target is given runs_needed, balls_remaining and
        required_run_rate.
    """
    r = _count("runs", runs)
    whole = math.floor(overs)
    balls = round((overs - whole) * 10)
    if overs < 0 or balls > 5:
        raise ValueError("overs must be non-negative with 0-5 balls after the point")
    total_balls = whole * 6 + balls
    limit = _count("overs_limit", overs_limit, 1) * 6
    if total_balls == 0 or total_balls > limit:
        raise ValueError("overs must be positive and within overs_limit")
    out: dict[str, Any] = {"current_run_rate": round(r / total_balls * 6, 2)}
    if target is not None:
        needed = max(0, _count("target", target, 1) - r)
        remaining = limit - total_balls
        out.update(
            runs_needed=needed,
            balls_remaining=remaining,
            required_run_rate=round(needed / remaining * 6, 2) if remaining else None,
        )
    return out


def predict_race_time(
    known_distance_km: float,
    known_time_minutes: float,
    target_distance_km: float,
    fatigue_exponent: float = 1.06,
) -> dict[str, Any]:
    """Predict a race finishing time at another distance with Riegel's formula T2 = T1 (D2/D1)^1.06.

    Args:
        known_distance_km: Distance of a recent race in kilometres.
        known_time_minutes: Finishing time of that race in minutes.
        target_distance_km: Distance to predict, in kilometres (42.195 for a marathon).
        fatigue_exponent: Riegel exponent (1.06 for trained runners).

    Returns:
        predicted_minutes (2 decimals) and predicted time as 'H:MM:SS'.
    """
    if min(known_distance_km, known_time_minutes, target_distance_km) <= 0:
        raise ValueError("distances and time must be positive")
    if not 1.0 <= fatigue_exponent <= 1.2:
        raise ValueError("fatigue_exponent must be between 1.0 and 1.2")
    t = known_time_minutes * (target_distance_km / known_distance_km) ** fatigue_exponent
    secs = round(t * 60)
    return {
        "predicted_minutes": round(t, 2),
        "predicted_time": f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}",
    }


def games_behind_leader(
    leader_wins: int, leader_losses: int, team_wins: int, team_losses: int
) -> float:
    """Compute how many games a team trails the division leader in the standings.

    Args:
        leader_wins: Wins of the leading team.
        leader_losses: Losses of the leading team.
        team_wins: Wins of the team.
        team_losses: Losses of the team.

    Returns:
        Games behind ((leader wins - team wins) + (team losses - leader losses)) / 2.
    """
    lw, ll = _count("leader_wins", leader_wins), _count("leader_losses", leader_losses)
    tw, tl = _count("team_wins", team_wins), _count("team_losses", team_losses)
    return ((lw - tw) + (tl - ll)) / 2


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "batting_average": [
        (
            {"hits": 150, "at_bats": 500, "walks": 60, "hit_by_pitch": 5, "sacrifice_flies": 5},
            {"avg": 0.3, "obp": 0.377},
        ),
    ],
    "earned_run_average": [
        ({"earned_runs": 3, "innings_pitched": 7}, 3.86),
        ({"earned_runs": 2, "innings_pitched": 6.2}, 2.7),
    ],
    "nfl_passer_rating": [
        (
            {"completions": 20, "attempts": 30, "yards": 250, "touchdowns": 2, "interceptions": 1},
            100.7,
        ),
    ],
    "basketball_shooting_stats": [
        (
            {
                "field_goals_made": 10,
                "field_goals_attempted": 20,
                "three_pointers_made": 4,
                "free_throws_made": 6,
                "free_throws_attempted": 8,
            },
            {"points": 30, "fg_pct": 50.0, "efg_pct": 60.0, "ts_pct": 63.8},
        ),
    ],
    "league_table_points": [
        (
            {"wins": 20, "draws": 8, "losses": 10, "goals_for": 65, "goals_against": 40},
            {
                "played": 38,
                "points": 68,
                "goal_difference": 25,
                "points_per_game": 1.79,
                "win_percentage": 52.6,
            },
        ),
    ],
    "elo_rating_update": [
        (
            {"rating_a": 1600, "rating_b": 1400, "score_a": 0},
            {"expected_a": 0.7597, "new_rating_a": 1575.69, "new_rating_b": 1424.31},
        ),
        (
            {"rating_a": 1500, "rating_b": 1500, "score_a": 1, "k_factor": 20},
            {"expected_a": 0.5, "new_rating_a": 1510.0, "new_rating_b": 1490.0},
        ),
    ],
    "golf_handicap_differential": [
        ({"adjusted_gross_score": 90, "course_rating": 72.1, "slope_rating": 130}, 15.6)
    ],
    "cricket_run_rate": [
        ({"runs": 180, "overs": 30.0}, {"current_run_rate": 6.0}),
        (
            {"runs": 150, "overs": 15.0, "target": 190, "overs_limit": 20},
            {
                "current_run_rate": 10.0,
                "runs_needed": 40,
                "balls_remaining": 30,
                "required_run_rate": 8.0,
            },
        ),
    ],
    "predict_race_time": [
        (
            {"known_distance_km": 10, "known_time_minutes": 50, "target_distance_km": 21.0975},
            {"predicted_minutes": 110.32, "predicted_time": "1:50:19"},
        ),
    ],
    "games_behind_leader": [
        ({"leader_wins": 90, "leader_losses": 60, "team_wins": 85, "team_losses": 64}, 4.5)
    ],
}
