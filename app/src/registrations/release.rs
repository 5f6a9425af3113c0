//! The worker's round for reserved places: a programme whose reservation for its priority group
//! ended with nobody registering or cancelling since gets its places released to the waiting
//! list, in order, by the next tick (a registration or cancellation after the instant does the
//! same in its own transaction).

use chrono::Utc;
use kompetens_persistence::repo::programmes;

use super::promote;
use crate::probe::Guard;
use crate::{App, AppError};

/// How many programmes one round looks at; the next round takes the rest.
const PER_ROUND: u64 = 50;

/// Releases the reserved places of every programme whose reservation has ended unnoticed;
/// returns how many programmes it released.
pub async fn release_reservations(app: &App) -> Result<usize, AppError> {
    let due = programmes::reservations_ended(app.db(), Utc::now(), PER_ROUND).await?;
    let mut released = 0;
    for id in due {
        let tx = app.begin().await?;
        // Under the programme's lock, like every decision on its places: a registration racing
        // this round is decided before or after it, never beside it.
        let Some(programme) = programmes::find(&tx, id, app.guarded(Guard::ProgrammeLock)).await?
        else {
            continue;
        };
        // Taken after the lock: a registration that noticed the end first has marked it.
        let now = Utc::now();
        if programme.reservation_released_at.is_some() {
            continue;
        }
        let promoted = promote(&tx, &programme, now).await?;
        tx.commit().await?;
        released += 1;
        tracing::info!(programme_id = %id, promoted = promoted.len(), "reservation ended: places released");
    }
    Ok(released)
}
